import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../support/identity/http-client.ts';
import { samples } from '../../support/tasks/file-samples.ts';
import {
  adminUser,
  createTasksTestApp,
  deactivatedUser,
  expectProblem,
  expectStatus,
  fieldsOf,
  inHours,
  namesField,
  NO_SUCH_ID,
  TasksClient,
  verifiedUser,
  type TaskJson,
  type TasksTestApp,
} from '../../support/tasks/http-tasks.ts';

let t: TasksTestApp;
/** Owns the tasks under test; each test creates its own. */
let owner: TasksClient;
/** Verified: assignable. */
let assignee: TasksClient;
let otherAssignee: TasksClient;
/** Registered, email not verified: not assignable. */
let unverified: TasksClient;
/** Verified, then deactivated: not assignable. */
let inactiveId: string;
let stranger: TasksClient;

beforeAll(async () => {
  t = await createTasksTestApp();
  const admin = await adminUser(t);
  const [o, a, b, u, s, inactive] = await Promise.all([
    register(t),
    verifiedUser(t),
    verifiedUser(t),
    register(t),
    register(t),
    deactivatedUser(t, admin),
  ]);
  owner = new TasksClient(t, o);
  assignee = new TasksClient(t, a);
  otherAssignee = new TasksClient(t, b);
  unverified = new TasksClient(t, u);
  stranger = new TasksClient(t, s);
  inactiveId = inactive.userId;
});
afterAll(async () => {
  await t.close();
});

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe('POST /tasks', () => {
  it('creates a task with defaults, answers 201 with Location, and the Location reads it back', async () => {
    const res = await owner.post('/tasks', { title: '  Write the report  ' });
    const created = await expectStatus<TaskJson>(res, 201);
    expect(res.headers.get('location')).toBe(`/api/v1/tasks/${created.id}`);
    expect(created).toMatchObject({
      owner_id: owner.id,
      assignee_id: null,
      title: 'Write the report',
      description: null,
      status: 'pending',
      priority: 'medium',
      due_date: null,
      remind_at: null,
      categories: [],
      attachment_count: 0,
      comment_count: 0,
      completed_at: null,
      version: 1,
    });
    expect(created.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(created.created_at).toMatch(ISO);
    expect(created.updated_at).toBe(created.created_at);

    const read = await t.app.request(res.headers.get('location') as string, {
      headers: { Authorization: `Bearer ${owner.user.accessToken}` },
    });
    expect(await expectStatus<TaskJson>(read, 200)).toEqual(created);
  });

  it('creates a task with every field set, and reads every field back', async () => {
    const [work, home] = [
      await owner.createCategory('Zeta work'),
      await owner.createCategory('alpha home'),
    ];
    const due = inHours(48);
    const remind = inHours(24);
    const created = await owner.createTask({
      title: 'Everything set',
      description: 'With a description\nover two lines',
      due_date: due,
      remind_at: remind,
      priority: 'urgent',
      status: 'completed',
      category_ids: [work.id, home.id],
      assignee_id: assignee.id,
    });
    expect(created).toMatchObject({
      description: 'With a description\nover two lines',
      due_date: due,
      remind_at: remind,
      priority: 'urgent',
      status: 'completed',
      assignee_id: assignee.id,
    });
    expect(created.completed_at).toMatch(ISO);
    // Categories come ordered by name, case-insensitively.
    expect(created.categories.map((c) => c.id)).toEqual([home.id, work.id]);
    expect(created.categories[0]).toEqual(home);
    expect(await owner.task(created.id)).toEqual(created);
    expect(await assignee.task(created.id)).toEqual(created);
  });

  it('accepts due dates with an offset and answers them in UTC', async () => {
    const due = new Date(Date.now() + 72 * 3_600_000);
    due.setUTCMilliseconds(0);
    const withOffset = due.toISOString().replace('Z', '+00:00');
    const created = await owner.createTask({ due_date: withOffset });
    expect(created.due_date).toBe(due.toISOString());
  });

  it('answers 404 for an unknown category, another user’s category, and an unassignable assignee, creating nothing', async () => {
    const before = (await owner.list()).total;
    const theirs = await stranger.createCategory();
    const mine = await owner.createCategory();
    const cases: Array<[string, Record<string, unknown>]> = [
      ['unknown category', { category_ids: [NO_SUCH_ID] }],
      ['another user’s category', { category_ids: [theirs.id] }],
      ['own and another user’s category', { category_ids: [mine.id, theirs.id] }],
      ['unknown assignee', { assignee_id: NO_SUCH_ID }],
      ['unverified assignee', { assignee_id: unverified.id }],
      ['inactive assignee', { assignee_id: inactiveId }],
    ];
    for (const [label, fields] of cases) {
      const res = await owner.post('/tasks', { title: `Refused: ${label}`, ...fields });
      await expectProblem(res, 404, 'not_found');
    }
    expect((await owner.list()).total).toBe(before);
    expect((await stranger.categories()).map((c) => c.id)).toEqual([theirs.id]);
  });

  it('answers 400 validation_failed naming each offending field', async () => {
    const cases: Array<[unknown, string[]]> = [
      [{}, ['title']],
      [{ title: 'ab' }, ['title']],
      [{ title: '   ab   ' }, ['title']],
      [{ title: 'x'.repeat(201) }, ['title']],
      [{ title: 'ok title', description: 'd'.repeat(2001) }, ['description']],
      [{ title: 'ok title', priority: 'critical', status: 'done' }, ['priority', 'status']],
      [{ title: 'ok title', due_date: inHours(-1) }, ['due_date']],
      [{ title: 'ok title', due_date: inHours(2), remind_at: inHours(3) }, ['remind_at']],
      [{ title: 'ok title', remind_at: inHours(3) }, ['remind_at']],
      [{ title: 'ok title', category_ids: ['nope'] }, ['category_ids']],
      [{ title: 'ok title', assignee_id: 'nope' }, ['assignee_id']],
    ];
    for (const [payload, fields] of cases) {
      const problem = await expectProblem(
        await owner.post('/tasks', payload),
        400,
        'validation_failed',
      );
      for (const field of fields) {
        expect(
          namesField(problem, field),
          `${JSON.stringify(payload)} → ${fieldsOf(problem).join()}`,
        ).toBe(true);
      }
    }
  });

  it('answers a due date whose UTC instant lies past year 9999 with 201 or 400, never 500', async () => {
    const res = await owner.post('/tasks', {
      title: 'Very far away',
      due_date: '9999-12-31T23:59:59.999-23:59',
    });
    expect([201, 400], `${res.status} ${await res.clone().text()}`).toContain(res.status);
    if (res.status === 201) {
      const created = (await res.json()) as TaskJson;
      expect((await owner.task(created.id)).due_date).toBe(created.due_date);
    }
  });

  it('answers 400 for malformed JSON and 415 for a non-JSON body', async () => {
    const headers = { Authorization: `Bearer ${owner.user.accessToken}` };
    const malformed = await t.app.request('/api/v1/tasks', {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: '{"title": ',
    });
    await expectProblem(malformed, 400, 'validation_failed');
    const text = await t.app.request('/api/v1/tasks', {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'text/plain' },
      body: 'title=hello',
    });
    await expectProblem(text, 415);
  });
});

describe('GET /tasks/{task_id}', () => {
  it('answers the task with a weak ETag of its version, which moves with each change', async () => {
    const task = await owner.createTask();
    const first = await owner.get(`/tasks/${task.id}`);
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toMatch(/^W\/"1\.[0-9a-f]{16}"$/);
    await expectStatus(
      await owner.patch(`/tasks/${task.id}`, { priority: 'high', version: 1 }),
      200,
    );
    const second = await owner.get(`/tasks/${task.id}`);
    expect(second.headers.get('etag')).toMatch(/^W\/"2\.[0-9a-f]{16}"$/);
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    await expectProblem(await owner.get(`/tasks/${NO_SUCH_ID}`), 404, 'not_found');
    const problem = await expectProblem(
      await owner.get('/tasks/not-a-uuid'),
      400,
      'validation_failed',
    );
    expect(fieldsOf(problem)).toEqual(['task_id']);
  });
});

describe('PATCH /tasks/{task_id}', () => {
  it('changes only the fields sent and bumps the version', async () => {
    const task = await owner.createTask({
      title: 'Partial patch',
      description: 'Kept',
      priority: 'low',
      due_date: inHours(10),
    });
    const res = await owner.patch(`/tasks/${task.id}`, { priority: 'high', version: 1 });
    const patched = await expectStatus<TaskJson>(res, 200);
    expect(patched).toEqual({
      ...task,
      priority: 'high',
      version: 2,
      updated_at: patched.updated_at,
    });
    expect(Date.parse(patched.updated_at)).toBeGreaterThanOrEqual(Date.parse(task.updated_at));
    expect(await owner.task(task.id)).toEqual(patched);
  });

  it('requires version (400 naming it) and rejects a version below 1', async () => {
    const task = await owner.createTask();
    for (const payload of [
      { title: 'No version' },
      { title: 'Zero', version: 0 },
      { version: '1' },
    ]) {
      const problem = await expectProblem(
        await owner.patch(`/tasks/${task.id}`, payload),
        400,
        'validation_failed',
      );
      expect(fieldsOf(problem)).toContain('version');
    }
    expect(await owner.task(task.id)).toEqual(task);
  });

  it('clears description, due_date, remind_at and assignee_id with null', async () => {
    const task = await owner.createTask({
      description: 'To be cleared',
      due_date: inHours(30),
      remind_at: inHours(20),
      assignee_id: assignee.id,
    });
    const res = await owner.patch(`/tasks/${task.id}`, {
      description: null,
      due_date: null,
      remind_at: null,
      assignee_id: null,
      version: task.version,
    });
    const patched = await expectStatus<TaskJson>(res, 200);
    expect(patched).toMatchObject({
      description: null,
      due_date: null,
      remind_at: null,
      assignee_id: null,
      version: 2,
    });
    expect(await owner.task(task.id)).toEqual(patched);
    await expectProblem(await assignee.get(`/tasks/${task.id}`), 404);
  });

  it('answers 409 version_conflict with current_version for a stale version, changing nothing', async () => {
    const task = await owner.createTask({ title: 'Conflicting' });
    const moved = await expectStatus<TaskJson>(
      await owner.patch(`/tasks/${task.id}`, { title: 'Moved on', version: 1 }),
      200,
    );
    const problem = await expectProblem(
      await owner.patch(`/tasks/${task.id}`, { title: 'Stale write', version: 1 }),
      409,
      'version_conflict',
    );
    expect(problem.current_version).toBe(2);
    expect(await owner.task(task.id)).toEqual(moved);
    const ahead = await expectProblem(
      await owner.patch(`/tasks/${task.id}`, { title: 'From the future', version: 7 }),
      409,
      'version_conflict',
    );
    expect(ahead.current_version).toBe(2);
  });

  it('sets completed_at when the status becomes completed and clears it when it leaves', async () => {
    const task = await owner.createTask();
    const done = await expectStatus<TaskJson>(
      await owner.patch(`/tasks/${task.id}`, { status: 'completed', version: 1 }),
      200,
    );
    expect(done.completed_at).toMatch(ISO);
    const reopened = await expectStatus<TaskJson>(
      await owner.patch(`/tasks/${task.id}`, { status: 'in_progress', version: 2 }),
      200,
    );
    expect(reopened).toMatchObject({ status: 'in_progress', completed_at: null, version: 3 });
    expect(await owner.task(task.id)).toEqual(reopened);
  });

  it('sets categories and the assignee through the patch, checking both', async () => {
    const cat = await owner.createCategory();
    const theirs = await stranger.createCategory();
    const task = await owner.createTask();
    await expectProblem(
      await owner.patch(`/tasks/${task.id}`, { category_ids: [theirs.id], version: 1 }),
      404,
    );
    await expectProblem(
      await owner.patch(`/tasks/${task.id}`, { assignee_id: unverified.id, version: 1 }),
      404,
    );
    expect(await owner.task(task.id)).toEqual(task);
    const patched = await expectStatus<TaskJson>(
      await owner.patch(`/tasks/${task.id}`, {
        category_ids: [cat.id],
        assignee_id: assignee.id,
        version: 1,
      }),
      200,
    );
    expect(patched.categories.map((c) => c.id)).toEqual([cat.id]);
    expect(patched.assignee_id).toBe(assignee.id);
    expect(await owner.task(task.id)).toEqual(patched);
  });

  it('validates the changed fields (400) and leaves the task as it was', async () => {
    const task = await owner.createTask({ due_date: inHours(5) });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ title: 'no' }, 'title'],
      [{ title: null }, 'title'],
      [{ due_date: inHours(-2) }, 'due_date'],
      [{ remind_at: inHours(6) }, 'remind_at'],
      [{ priority: 'whenever' }, 'priority'],
    ];
    for (const [payload, field] of cases) {
      const problem = await expectProblem(
        await owner.patch(`/tasks/${task.id}`, { ...payload, version: 1 }),
        400,
        'validation_failed',
      );
      expect(fieldsOf(problem)).toContain(field);
    }
    expect(await owner.task(task.id)).toEqual(task);
  });

  it('answers 404 for an unknown task', async () => {
    await expectProblem(
      await owner.patch(`/tasks/${NO_SUCH_ID}`, { title: 'Nope', version: 1 }),
      404,
    );
  });
});

describe('DELETE /tasks/{task_id} (soft delete)', () => {
  it('answers 204; afterwards the task is gone from every route, for owner and assignee', async () => {
    const cat = await owner.createCategory();
    const task = await owner.createTask({ assignee_id: assignee.id, category_ids: [cat.id] });
    const comment = await owner.comment(task.id);
    const attachment = await owner.attach(task.id, samples.png, 'a.png');
    expect((await owner.del(`/tasks/${task.id}`)).status).toBe(204);

    for (const who of [owner, assignee]) {
      const path = `/tasks/${task.id}`;
      await expectProblem(await who.get(path), 404);
      expect((await who.list()).items.map((i) => i.id)).not.toContain(task.id);
      await expectProblem(await who.get(`${path}/comments`), 404);
      await expectProblem(await who.post(`${path}/comments`, { body: 'Hi' }), 404);
      await expectProblem(await who.patch(`${path}/comments/${comment.id}`, { body: 'x' }), 404);
      await expectProblem(await who.get(`${path}/attachments`), 404);
      await expectProblem(await who.get(`${path}/attachments/${attachment.id}/content`), 404);
      await expectProblem(await who.upload(task.id, samples.png, 'b.png'), 404);
      await expectProblem(await who.patch(path, { title: 'Back?', version: 1 }), 404);
      await expectProblem(await who.patch(path, { status: 'completed', version: 1 }), 404);
    }
    await expectProblem(await owner.del(`/tasks/${task.id}`), 404);
    await expectProblem(
      await owner.put(`/tasks/${task.id}/assignee`, { assignee_id: assignee.id }),
      404,
    );
    await expectProblem(await owner.del(`/tasks/${task.id}/assignee`), 404);
    await expectProblem(await owner.post(`/tasks/${task.id}/categories/${cat.id}`), 404);
    await expectProblem(await owner.del(`/tasks/${task.id}/categories/${cat.id}`), 404);
    await expectProblem(await owner.del(`/tasks/${task.id}/comments/${comment.id}`), 404);
    await expectProblem(await owner.del(`/tasks/${task.id}/attachments/${attachment.id}`), 404);
    expect((await owner.list(`?category_id=${cat.id}`)).total).toBe(0);
  });

  it('answers 404 for an unknown task', async () => {
    await expectProblem(await owner.del(`/tasks/${NO_SUCH_ID}`), 404);
  });
});

describe('PUT and DELETE /tasks/{task_id}/assignee', () => {
  it('assigns a verified user (200), who then sees the task and can be replaced', async () => {
    const task = await owner.createTask();
    const assigned = await expectStatus<TaskJson>(
      await owner.put(`/tasks/${task.id}/assignee`, { assignee_id: assignee.id }),
      200,
    );
    expect(assigned).toMatchObject({ assignee_id: assignee.id, version: 2 });
    expect(await owner.task(task.id)).toEqual(assigned);
    expect(await assignee.task(task.id)).toEqual(assigned);
    expect((await assignee.list('?scope=assigned')).items.map((i) => i.id)).toContain(task.id);

    const replaced = await expectStatus<TaskJson>(
      await owner.put(`/tasks/${task.id}/assignee`, { assignee_id: otherAssignee.id }),
      200,
    );
    expect(replaced.assignee_id).toBe(otherAssignee.id);
    await expectProblem(await assignee.get(`/tasks/${task.id}`), 404);
    expect((await otherAssignee.task(task.id)).assignee_id).toBe(otherAssignee.id);
  });

  it('answers 404 for an unknown, unverified or inactive assignee, leaving the task as it was', async () => {
    const task = await owner.createTask({ assignee_id: assignee.id });
    for (const id of [NO_SUCH_ID, unverified.id, inactiveId]) {
      await expectProblem(await owner.put(`/tasks/${task.id}/assignee`, { assignee_id: id }), 404);
    }
    expect(await owner.task(task.id)).toEqual(task);
    await expectProblem(
      await owner.put(`/tasks/${NO_SUCH_ID}/assignee`, { assignee_id: assignee.id }),
      404,
    );
  });

  it('answers 400 for a missing or malformed assignee_id', async () => {
    const task = await owner.createTask();
    for (const payload of [{}, { assignee_id: 'nope' }, { assignee_id: null }]) {
      const problem = await expectProblem(
        await owner.put(`/tasks/${task.id}/assignee`, payload),
        400,
        'validation_failed',
      );
      expect(fieldsOf(problem)).toContain('assignee_id');
    }
  });

  it('unassigns (204): the former assignee loses sight of the task; unassigning again is harmless', async () => {
    const task = await owner.createTask({ assignee_id: assignee.id });
    expect((await owner.del(`/tasks/${task.id}/assignee`)).status).toBe(204);
    const read = await owner.task(task.id);
    expect(read).toMatchObject({ assignee_id: null, version: 2 });
    await expectProblem(await assignee.get(`/tasks/${task.id}`), 404);
    expect((await owner.del(`/tasks/${task.id}/assignee`)).status).toBe(204);
    expect(await owner.task(task.id)).toEqual(read);
    await expectProblem(await owner.del(`/tasks/${NO_SUCH_ID}/assignee`), 404);
  });
});

describe('POST and DELETE /tasks/{task_id}/categories/{category_id}', () => {
  it('adds a category (200 Task), refuses it twice (409 already_assigned), removes it (204)', async () => {
    const cat = await owner.createCategory();
    const task = await owner.createTask();
    const added = await expectStatus<TaskJson>(
      await owner.post(`/tasks/${task.id}/categories/${cat.id}`),
      200,
    );
    expect(added.categories).toEqual([cat]);
    expect(added.version).toBe(2);
    expect(await owner.task(task.id)).toEqual(added);

    await expectProblem(
      await owner.post(`/tasks/${task.id}/categories/${cat.id}`),
      409,
      'already_assigned',
    );
    expect(await owner.task(task.id)).toEqual(added);

    expect((await owner.del(`/tasks/${task.id}/categories/${cat.id}`)).status).toBe(204);
    const removed = await owner.task(task.id);
    expect(removed).toMatchObject({ categories: [], version: 3 });
    await expectProblem(await owner.del(`/tasks/${task.id}/categories/${cat.id}`), 404);
    expect(await owner.task(task.id)).toEqual(removed);
  });

  it('answers 404 for another user’s category, an unknown one, or an unknown task', async () => {
    const theirs = await stranger.createCategory();
    const mine = await owner.createCategory();
    const task = await owner.createTask();
    await expectProblem(await owner.post(`/tasks/${task.id}/categories/${theirs.id}`), 404);
    await expectProblem(await owner.post(`/tasks/${task.id}/categories/${NO_SUCH_ID}`), 404);
    await expectProblem(await owner.post(`/tasks/${NO_SUCH_ID}/categories/${mine.id}`), 404);
    await expectProblem(await owner.del(`/tasks/${task.id}/categories/${theirs.id}`), 404);
    await expectProblem(await owner.del(`/tasks/${NO_SUCH_ID}/categories/${mine.id}`), 404);
    expect(await owner.task(task.id)).toEqual(task);
  });
});

describe('optimistic locking', () => {
  it('lets exactly one of two concurrent PATCHes with the same version win; the other gets 409', async () => {
    for (let round = 0; round < 5; round++) {
      const task = await owner.createTask({ title: `Race ${round}` });
      const [a, b] = await Promise.all([
        owner.patch(`/tasks/${task.id}`, { title: `Writer A ${round}`, version: 1 }),
        owner.patch(`/tasks/${task.id}`, { title: `Writer B ${round}`, version: 1 }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const winner = a.status === 200 ? a : b;
      const loser = a.status === 200 ? b : a;
      const won = (await winner.json()) as TaskJson;
      const problem = await expectProblem(loser, 409, 'version_conflict');
      expect(problem.current_version).toBe(2);
      expect(await owner.task(task.id)).toEqual(won);
      expect(won.version).toBe(2);
    }
  });

  it('lets exactly one of an owner edit and an assignee status change on the same version win', async () => {
    const task = await owner.createTask({ assignee_id: assignee.id });
    const [a, b] = await Promise.all([
      owner.patch(`/tasks/${task.id}`, { priority: 'urgent', version: 1 }),
      assignee.patch(`/tasks/${task.id}`, { status: 'in_progress', version: 1 }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const read = await owner.task(task.id);
    expect(read.version).toBe(2);
    expect(read.priority === 'urgent').toBe(a.status === 200);
    expect(read.status === 'in_progress').toBe(b.status === 200);
  });
});
