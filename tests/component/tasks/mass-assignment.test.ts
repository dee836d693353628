import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../support/identity/http-client.ts';
import {
  createTasksTestApp,
  expectProblem,
  expectStatus,
  TasksClient,
  type TaskJson,
  type TasksTestApp,
} from '../../support/tasks/http-tasks.ts';

/**
 * Server-owned fields (`owner_id`, `id`, `version`, `created_at`, `updated_at`, `completed_at`,
 * counts) sent in a create or a patch body change nothing: the request either ignores them or is
 * refused, and the stored task reads back as the server decided.
 */

let t: TasksTestApp;
let owner: TasksClient;
let victim: TasksClient;

beforeAll(async () => {
  t = await createTasksTestApp();
  const [o, v] = await Promise.all([register(t), register(t)]);
  owner = new TasksClient(t, o);
  victim = new TasksClient(t, v);
});
afterAll(async () => {
  await t.close();
});

const FORGED_ID = '0193a1f2-8b7c-7d4e-9f00-1a2b3c4d5e6f';
const LONG_AGO = '2001-01-01T00:00:00.000Z';

/** Server-owned fields; `version` is left out: in a PATCH it is the lock, tested on its own. */
const forged = () => ({
  id: FORGED_ID,
  owner_id: victim.id,
  created_at: LONG_AGO,
  updated_at: LONG_AGO,
  completed_at: LONG_AGO,
  deleted_at: LONG_AGO,
  comment_count: 42,
  attachment_count: 42,
  categories: [
    { id: FORGED_ID, user_id: victim.id, name: 'Forged', color: null, created_at: LONG_AGO },
  ],
});

describe('mass assignment on create', () => {
  it('ignores server-owned fields in POST /tasks (or refuses the request); never stores them', async () => {
    const before = Date.now();
    const res = await owner.post('/tasks', { title: 'Forged create', ...forged(), version: 99 });
    if (res.status === 400) {
      await expectProblem(res, 400, 'validation_failed');
      expect((await owner.list()).items.map((x) => x.title)).not.toContain('Forged create');
      return;
    }
    const created = await expectStatus<TaskJson>(res, 201);
    expect(created.id).not.toBe(FORGED_ID);
    expect(created).toMatchObject({
      owner_id: owner.id,
      version: 1,
      completed_at: null,
      status: 'pending',
      comment_count: 0,
      attachment_count: 0,
      categories: [],
    });
    expect(Date.parse(created.created_at)).toBeGreaterThanOrEqual(before - 1000);
    expect(await owner.task(created.id)).toEqual(created);
    await expectProblem(await owner.get(`/tasks/${FORGED_ID}`), 404);
    // The would-be owner has not been handed the task.
    await expectProblem(await victim.get(`/tasks/${created.id}`), 404);
    expect((await victim.list()).total).toBe(0);
  });

  it('sets completed_at from the clock, not from the body, when created completed', async () => {
    const created = await owner.createTask({
      title: 'Done on arrival',
      status: 'completed',
      completed_at: LONG_AGO,
    });
    expect(created.completed_at).not.toBe(LONG_AGO);
    expect(Date.parse(created.completed_at as string)).toBeGreaterThan(Date.parse('2020-01-01'));
    expect((await owner.task(created.id)).completed_at).toBe(created.completed_at);
  });
});

describe('mass assignment on patch', () => {
  it('ignores server-owned fields in PATCH (version is only the lock); never stores them', async () => {
    const task = await owner.createTask({ title: 'Patch target' });
    const res = await owner.patch(`/tasks/${task.id}`, {
      title: 'Patched title',
      ...forged(),
      version: 1,
    });
    const after = await owner.task(task.id);
    if (res.status === 400) {
      await expectProblem(res, 400, 'validation_failed');
      expect(after).toEqual(task);
      return;
    }
    const patched = await expectStatus<TaskJson>(res, 200);
    expect(patched).toMatchObject({
      id: task.id,
      owner_id: owner.id,
      title: 'Patched title',
      version: 2,
      created_at: task.created_at,
      completed_at: null,
      comment_count: 0,
      attachment_count: 0,
      categories: [],
    });
    expect(patched.updated_at).not.toBe(LONG_AGO);
    expect(after).toEqual(patched);
    await expectProblem(await victim.get(`/tasks/${task.id}`), 404);
    await expectProblem(await owner.get(`/tasks/${FORGED_ID}`), 404);
  });

  it('does not let a patch carrying only server-owned fields change anything', async () => {
    const task = await owner.createTask({ title: 'Untouchable' });
    const res = await owner.patch(`/tasks/${task.id}`, { ...forged(), version: 1 });
    expect([200, 400]).toContain(res.status);
    expect(await owner.task(task.id)).toEqual(task);
  });

  it('uses version only as the expected version: a higher one is a conflict, not a jump', async () => {
    const task = await owner.createTask({ title: 'Version jump' });
    const problem = await expectProblem(
      await owner.patch(`/tasks/${task.id}`, { title: 'Jumped', version: 1000 }),
      409,
      'version_conflict',
    );
    expect(problem.current_version).toBe(1);
    expect(await owner.task(task.id)).toEqual(task);
  });

  it('ignores completed_at in a patch that completes the task', async () => {
    const task = await owner.createTask({ title: 'Finish me' });
    const done = await expectStatus<TaskJson>(
      await owner.patch(`/tasks/${task.id}`, {
        status: 'completed',
        completed_at: LONG_AGO,
        version: 1,
      }),
      200,
    );
    expect(done.completed_at).not.toBe(LONG_AGO);
    expect(Date.parse(done.completed_at as string)).toBeGreaterThanOrEqual(
      Date.parse(task.created_at),
    );
    expect(await owner.task(task.id)).toEqual(done);
  });

  it('ignores user_id and id in category bodies', async () => {
    const res = await owner.post('/categories', {
      name: 'Forged category',
      id: FORGED_ID,
      user_id: victim.id,
    });
    if (res.status === 201) {
      const created = (await res.json()) as { id: string; user_id: string };
      expect(created.id).not.toBe(FORGED_ID);
      expect(created.user_id).toBe(owner.id);
    } else {
      await expectProblem(res, 400);
    }
    expect(await victim.categories()).toEqual([]);
  });
});
