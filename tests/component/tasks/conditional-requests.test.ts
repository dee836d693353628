import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, json, register } from '../../support/identity/http-client.ts';
import {
  API,
  createTasksTestApp,
  expectProblem,
  expectStatus,
  fieldsOf,
  TasksClient,
  verifiedUser,
  type TaskJson,
  type TasksTestApp,
} from '../../support/tasks/http-tasks.ts';

let t: TasksTestApp;
let owner: TasksClient;
let assigneeId: string;

beforeAll(async () => {
  t = await createTasksTestApp();
  const [o, a] = await Promise.all([register(t), verifiedUser(t)]);
  owner = new TasksClient(t, o);
  assigneeId = a.userId;
});
afterAll(() => t.close());

/** What `If-Match` may name: the version alone. */
const etagOf = (version: number) => `W/"${version}"`;
/** The tags the server sends: the version, then a digest of the representation. */
const etagPattern = (version: number) => new RegExp(`^W/"${version}\\.[0-9a-f]{16}"$`);

function send(method: string, path: string, headers: Record<string, string>, payload?: unknown) {
  const init: RequestInit =
    payload === undefined
      ? { method, headers }
      : { ...json(payload), method, headers: { 'Content-Type': 'application/json', ...headers } };
  return t.app.request(`${API}${path}`, bearer(owner.user.accessToken, init));
}

describe('entity tags on task representations', () => {
  it('carries ETag W/"<version>" on create, get, patch, assign and adding a category', async () => {
    const created = await owner.post('/tasks', { title: 'Tagged everywhere' });
    const task = await expectStatus<TaskJson>(created, 201);
    expect(created.headers.get('etag')).toMatch(etagPattern(task.version));

    const read = await owner.get(`/tasks/${task.id}`);
    expect(read.headers.get('etag')).toMatch(etagPattern(1));

    const patched = await owner.patch(`/tasks/${task.id}`, { title: 'Renamed', version: 1 });
    expect((await expectStatus<TaskJson>(patched, 200)).version).toBe(2);
    expect(patched.headers.get('etag')).toMatch(etagPattern(2));

    const assigned = await owner.put(`/tasks/${task.id}/assignee`, { assignee_id: assigneeId });
    const afterAssign = await expectStatus<TaskJson>(assigned, 200);
    expect(assigned.headers.get('etag')).toMatch(etagPattern(afterAssign.version));

    const category = await owner.createCategory();
    const added = await owner.post(`/tasks/${task.id}/categories/${category.id}`);
    const afterAdd = await expectStatus<TaskJson>(added, 200);
    expect(added.headers.get('etag')).toMatch(etagPattern(afterAdd.version));
    expect(afterAdd.version).toBeGreaterThan(afterAssign.version);
  });
});

describe('If-None-Match on GET /tasks/{id}', () => {
  it('answers 304 without a body while the version is the one named, 200 once it moved', async () => {
    const task = await owner.createTask();
    const path = `/tasks/${task.id}`;

    const etag = (await owner.get(path)).headers.get('etag') ?? '';
    expect(etag).toMatch(etagPattern(1));

    const notModified = await send('GET', path, { 'If-None-Match': etag });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('etag')).toBe(etag);
    expect(await notModified.text()).toBe('');
    // Weak comparison: the strong form and a list naming it match too, and so does `*`.
    const strong = etag.slice(2);
    expect((await send('GET', path, { 'If-None-Match': strong })).status).toBe(304);
    expect((await send('GET', path, { 'If-None-Match': `W/"7", ${etag}` })).status).toBe(304);
    expect((await send('GET', path, { 'If-None-Match': '*' })).status).toBe(304);
    // The version alone is no representation's tag.
    expect((await send('GET', path, { 'If-None-Match': etagOf(1) })).status).toBe(200);

    await expectStatus(await owner.patch(path, { title: 'Moved on', version: 1 }), 200);
    const modified = await send('GET', path, { 'If-None-Match': etag });
    expect((await expectStatus<TaskJson>(modified, 200)).title).toBe('Moved on');
    expect(modified.headers.get('etag')).toMatch(etagPattern(2));
  });

  it('answers 200 once a comment, an attachment or a category name changed, though the version did not', async () => {
    const task = await owner.createTask();
    const path = `/tasks/${task.id}`;
    const tagNow = async () => (await owner.get(path)).headers.get('etag') ?? '';

    const before = await tagNow();
    await expectStatus(await owner.post(`${path}/comments`, { body: 'A first comment' }), 201);
    const afterComment = await send('GET', path, { 'If-None-Match': before });
    expect((await expectStatus<TaskJson>(afterComment, 200)).comment_count).toBe(1);
    expect((await owner.task(task.id)).version).toBe(task.version);

    const category = await owner.createCategory();
    await expectStatus(await owner.post(`${path}/categories/${category.id}`), 200);
    const withCategory = await tagNow();
    await expectStatus(
      await owner.patch(`/categories/${category.id}`, { name: 'Renamed label' }),
      200,
    );
    const afterRename = await send('GET', path, { 'If-None-Match': withCategory });
    const renamed = await expectStatus<TaskJson>(afterRename, 200);
    expect(renamed.categories.map((c) => c.name)).toEqual(['Renamed label']);
  });
});

describe('If-Match on PATCH /tasks/{id}', () => {
  it('applies a change based on the current ETag without a body version', async () => {
    const task = await owner.createTask();
    const res = await send(
      'PATCH',
      `/tasks/${task.id}`,
      { 'If-Match': etagOf(1) },
      { title: 'Matched' },
    );
    const updated = await expectStatus<TaskJson>(res, 200);
    expect(updated).toMatchObject({ title: 'Matched', version: 2 });
    expect(res.headers.get('etag')).toMatch(etagPattern(2));
  });

  it('refuses a stale If-Match with 412 precondition_failed and current_version, changing nothing', async () => {
    const task = await owner.createTask({ title: 'Before' });
    await expectStatus(await owner.patch(`/tasks/${task.id}`, { title: 'Moved', version: 1 }), 200);

    const res = await send(
      'PATCH',
      `/tasks/${task.id}`,
      { 'If-Match': etagOf(1) },
      { title: 'Lost' },
    );
    const problem = await expectProblem(res, 412, 'precondition_failed');
    expect(problem).toMatchObject({ current_version: 2 });
    expect((await owner.task(task.id)).title).toBe('Moved');
  });

  it('judges If-Match first, then a body version (stale: 409 version_conflict)', async () => {
    const task = await owner.createTask();
    await expectStatus(
      await owner.patch(`/tasks/${task.id}`, { title: 'Version 2', version: 1 }),
      200,
    );

    const bothStale = await send(
      'PATCH',
      `/tasks/${task.id}`,
      { 'If-Match': etagOf(1) },
      { title: 'x y z', version: 1 },
    );
    await expectProblem(bothStale, 412, 'precondition_failed');

    const bodyStale = await send(
      'PATCH',
      `/tasks/${task.id}`,
      { 'If-Match': etagOf(2) },
      { title: 'x y z', version: 1 },
    );
    expect(await expectProblem(bodyStale, 409, 'version_conflict')).toMatchObject({
      current_version: 2,
    });

    const bodyOnly = await owner.patch(`/tasks/${task.id}`, { title: 'x y z', version: 1 });
    await expectProblem(bodyOnly, 409, 'version_conflict');
    expect((await owner.task(task.id)).version).toBe(2);
  });

  it('takes If-Match: * as any current version', async () => {
    const task = await owner.createTask();
    const res = await send('PATCH', `/tasks/${task.id}`, { 'If-Match': '*' }, { priority: 'high' });
    expect(await expectStatus<TaskJson>(res, 200)).toMatchObject({ priority: 'high', version: 2 });
  });

  it('needs a version from one of them, and a well-formed If-Match', async () => {
    const task = await owner.createTask();
    const neither = await owner.patch(`/tasks/${task.id}`, { title: 'No version' });
    expect(fieldsOf(await expectProblem(neither, 400, 'validation_failed'))).toEqual(['version']);

    const garbage = await send(
      'PATCH',
      `/tasks/${task.id}`,
      { 'If-Match': 'version 1' },
      { title: 'Bad tag' },
    );
    expect(fieldsOf(await expectProblem(garbage, 400, 'validation_failed'))).toEqual(['If-Match']);
    expect((await owner.task(task.id)).version).toBe(1);
  });
});
