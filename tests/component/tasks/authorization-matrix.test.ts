import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../support/identity/http-client.ts';
import { samples } from '../../support/tasks/file-samples.ts';
import { routeName, TASKS_ROUTES, type TasksRoute } from '../../support/tasks/http-routes.ts';
import {
  createTasksTestApp,
  expectProblem,
  inHours,
  TasksClient,
  verifiedUser,
  type AttachmentJson,
  type CategoryJson,
  type CommentJson,
  type TaskJson,
  type TasksTestApp,
} from '../../support/tasks/http-tasks.ts';

/**
 * Object-level authorization: a task is visible to its owner and its assignee; the owner may do
 * everything, the assignee may change the status, comment and attach; anything else by the
 * assignee is 403; to anyone else the task does not exist (404). Categories belong to one user.
 * Every route that takes an id is a row below, and a guard checks that none is missing.
 */

let t: TasksTestApp;
let owner: TasksClient;
let assignee: TasksClient;
/** Neither owner nor assignee; verified, so that they could be assigned elsewhere. */
let stranger: TasksClient;

beforeAll(async () => {
  t = await createTasksTestApp();
  const [o, a, s] = await Promise.all([register(t), verifiedUser(t), verifiedUser(t)]);
  owner = new TasksClient(t, o);
  assignee = new TasksClient(t, a);
  stranger = new TasksClient(t, s);
});
afterAll(async () => {
  await t.close();
});

/** The owner's task, assigned, with one of the owner's categories, a comment and a file. */
interface Fixture {
  task: TaskJson;
  category: CategoryJson;
  comment: CommentJson;
  attachment: AttachmentJson;
}

async function fixture(): Promise<Fixture> {
  const category = await owner.createCategory();
  const task = await owner.createTask({
    title: 'Guarded task',
    description: 'Only for owner and assignee',
    due_date: inHours(48),
    assignee_id: assignee.id,
    category_ids: [category.id],
  });
  const comment = await owner.comment(task.id, 'Owner’s comment');
  const attachment = await owner.attach(task.id, samples.pdf, 'owner.pdf');
  return { task: await owner.task(task.id), category, comment, attachment };
}

/** Everything a request could have changed, as the owner sees it. */
async function snapshot(f: Fixture) {
  const download = await owner.get(`/tasks/${f.task.id}/attachments/${f.attachment.id}/content`);
  return {
    task: await owner.task(f.task.id),
    comments: await owner.comments(f.task.id),
    attachments: await owner.attachments(f.task.id),
    categories: await owner.categories(),
    content: Buffer.from(await download.arrayBuffer()).toString('base64'),
  };
}

interface Row {
  /** `METHOD /path` as in `TASKS_ROUTES`. */
  route: string;
  /** What this row tries, when a route has several rows. */
  what: string;
  path(f: Fixture): string;
  body?(f: Fixture, caller: TasksClient): unknown;
  multipart?: true;
  /** The assignee's expected status; a stranger always gets 404. */
  assignee: 200 | 201 | 204 | 403 | 404;
  /** For an assignee success: what must hold afterwards (read back as the owner). */
  check?(f: Fixture, after: Awaited<ReturnType<typeof snapshot>>): void;
}

const task = (f: Fixture) => `/tasks/${f.task.id}`;
const v = (f: Fixture) => f.task.version;

const ROWS: Row[] = [
  { route: 'GET /tasks/:task', what: 'read the task', path: task, assignee: 200 },
  {
    route: 'PATCH /tasks/:task',
    what: 'change the status',
    path: task,
    body: (f) => ({ status: 'in_progress', version: v(f) }),
    assignee: 200,
    check: (f, after) =>
      expect(after.task).toMatchObject({ status: 'in_progress', version: v(f) + 1 }),
  },
  ...(
    [
      ['the title', { title: 'Hijacked title' }],
      ['the description', { description: 'Hijacked' }],
      ['the description to null', { description: null }],
      ['the priority', { priority: 'urgent' }],
      ['the due date', { due_date: inHours(100) }],
      ['the reminder', { remind_at: inHours(1) }],
      ['the categories', { category_ids: [] }],
      ['the assignee', { assignee_id: null }],
      ['the status and the title at once', { status: 'completed', title: 'Sneaky' }],
    ] as const
  ).map(([what, fields]): Row => ({
    route: 'PATCH /tasks/:task',
    what: `change ${what}`,
    path: task,
    body: (f) => ({ ...fields, version: v(f) }),
    assignee: 403,
  })),
  { route: 'DELETE /tasks/:task', what: 'delete the task', path: task, assignee: 403 },
  {
    route: 'PUT /tasks/:task/assignee',
    what: 'assign the task to themself',
    path: (f) => `${task(f)}/assignee`,
    body: (_f, caller) => ({ assignee_id: caller.id }),
    assignee: 403,
  },
  {
    route: 'PUT /tasks/:task/assignee',
    what: 'assign the task to someone else',
    path: (f) => `${task(f)}/assignee`,
    body: () => ({ assignee_id: stranger.id }),
    assignee: 403,
  },
  {
    route: 'DELETE /tasks/:task/assignee',
    what: 'unassign the task',
    path: (f) => `${task(f)}/assignee`,
    assignee: 403,
  },
  {
    route: 'POST /tasks/:task/categories/:category',
    what: 'add the owner’s category',
    path: (f) => `${task(f)}/categories/${f.category.id}`,
    assignee: 403,
  },
  {
    route: 'DELETE /tasks/:task/categories/:category',
    what: 'remove the owner’s category',
    path: (f) => `${task(f)}/categories/${f.category.id}`,
    assignee: 403,
  },
  {
    route: 'PATCH /categories/:category',
    what: 'rename the owner’s category',
    path: (f) => `/categories/${f.category.id}`,
    body: () => ({ name: 'Hijacked category' }),
    assignee: 404,
  },
  {
    route: 'DELETE /categories/:category',
    what: 'delete the owner’s category',
    path: (f) => `/categories/${f.category.id}`,
    assignee: 404,
  },
  {
    route: 'POST /tasks/:task/comments',
    what: 'comment',
    path: (f) => `${task(f)}/comments`,
    body: () => ({ body: 'A word from the assignee' }),
    assignee: 201,
    check: (_f, after) => {
      expect(after.comments.map((c) => c.body)).toEqual([
        'Owner’s comment',
        'A word from the assignee',
      ]);
      expect(after.task.comment_count).toBe(2);
    },
  },
  {
    route: 'GET /tasks/:task/comments',
    what: 'list comments',
    path: (f) => `${task(f)}/comments`,
    assignee: 200,
  },
  {
    route: 'PATCH /tasks/:task/comments/:comment',
    what: 'edit the owner’s comment',
    path: (f) => `${task(f)}/comments/${f.comment.id}`,
    body: () => ({ body: 'Words in the owner’s mouth' }),
    assignee: 403,
  },
  {
    route: 'DELETE /tasks/:task/comments/:comment',
    what: 'delete the owner’s comment',
    path: (f) => `${task(f)}/comments/${f.comment.id}`,
    assignee: 403,
  },
  {
    route: 'POST /tasks/:task/attachments',
    what: 'attach a file',
    path: (f) => `${task(f)}/attachments`,
    multipart: true,
    assignee: 201,
    check: (_f, after) => {
      expect(after.attachments.map((a) => a.filename)).toEqual(['owner.pdf', 'evil.png']);
      expect(after.task.attachment_count).toBe(2);
    },
  },
  {
    route: 'GET /tasks/:task/attachments',
    what: 'list attachments',
    path: (f) => `${task(f)}/attachments`,
    assignee: 200,
  },
  {
    route: 'GET /tasks/:task/attachments/:attachment/content',
    what: 'download the owner’s file',
    path: (f) => `${task(f)}/attachments/${f.attachment.id}/content`,
    assignee: 200,
  },
  {
    route: 'DELETE /tasks/:task/attachments/:attachment',
    what: 'delete the owner’s file',
    path: (f) => `${task(f)}/attachments/${f.attachment.id}`,
    assignee: 403,
  },
];

function send(caller: TasksClient, row: Row, f: Fixture): Promise<Response> {
  const method = row.route.split(' ')[0] as TasksRoute['method'];
  const path = row.path(f);
  if (row.multipart) return caller.upload(f.task.id, samples.png, 'evil.png');
  return caller.request(method, path, row.body?.(f, caller));
}

describe('the matrix covers every route that takes an id', () => {
  it('has a row for each such route', () => {
    const withIds = TASKS_ROUTES.filter((r) => r.path.includes(':')).map(routeName);
    const covered = new Set(ROWS.map((r) => r.route));
    expect(withIds.filter((name) => !covered.has(name))).toEqual([]);
  });
});

describe('a stranger (neither owner nor assignee) gets 404 and changes nothing', () => {
  for (const row of ROWS) {
    it(`${row.route}: ${row.what}`, async () => {
      const f = await fixture();
      const before = await snapshot(f);
      const res = await send(stranger, row, f);
      const problem = await expectProblem(res, 404, 'not_found');
      // The answer must not tell a hidden task from a missing one.
      expect(JSON.stringify(problem)).not.toContain(f.task.title);
      expect(await snapshot(f)).toEqual(before);
    });
  }
});

describe('the assignee may change the status, comment and attach; anything else is 403', () => {
  for (const row of ROWS) {
    it(`${row.route}: ${row.what} → ${row.assignee}`, async () => {
      const f = await fixture();
      const before = await snapshot(f);
      const res = await send(assignee, row, f);
      if (row.assignee >= 400) {
        await expectProblem(res, row.assignee, row.assignee === 403 ? 'forbidden' : 'not_found');
        expect(await snapshot(f)).toEqual(before);
        return;
      }
      expect(res.status, await res.clone().text()).toBe(row.assignee);
      const after = await snapshot(f);
      if (row.check) row.check(f, after);
      else expect(after).toEqual(before);
    });
  }

  it('may edit and delete their own comment, and delete their own file', async () => {
    const f = await fixture();
    const comment = await assignee.comment(f.task.id, 'Mine');
    const edited = await assignee.patch(`${task(f)}/comments/${comment.id}`, {
      body: 'Mine, edited',
    });
    expect(edited.status).toBe(200);
    expect((await owner.comments(f.task.id)).map((c) => c.body)).toEqual([
      'Owner’s comment',
      'Mine, edited',
    ]);
    expect((await assignee.del(`${task(f)}/comments/${comment.id}`)).status).toBe(204);
    const file = await assignee.attach(f.task.id, samples.gif, 'mine.gif');
    expect((await assignee.del(`${task(f)}/attachments/${file.id}`)).status).toBe(204);
    const after = await snapshot(f);
    expect(after.comments.map((c) => c.id)).toEqual([f.comment.id]);
    expect(after.attachments.map((a) => a.id)).toEqual([f.attachment.id]);
  });

  it('may send back the whole task it read with only the status changed', async () => {
    const f = await fixture();
    const read = await assignee.task(f.task.id);
    const res = await assignee.patch(task(f), {
      title: read.title,
      description: read.description,
      priority: read.priority,
      due_date: read.due_date,
      remind_at: read.remind_at,
      assignee_id: read.assignee_id,
      category_ids: read.categories.map((c) => c.id),
      status: 'completed',
      version: read.version,
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await owner.task(f.task.id)).toMatchObject({
      ...read,
      status: 'completed',
      version: read.version + 1,
      completed_at: expect.any(String),
      updated_at: expect.any(String),
    });
  });

  it('loses every right with the assignment', async () => {
    const f = await fixture();
    expect((await owner.del(`${task(f)}/assignee`)).status).toBe(204);
    const before = await snapshot(f);
    for (const row of ROWS) {
      const res = await send(assignee, row, { ...f, task: before.task });
      await expectProblem(res, 404);
    }
    expect(await snapshot(f)).toEqual(before);
  });
});

describe('ids of one object cannot be used through another the caller can see', () => {
  it('a stranger reaching the owner’s comment, file or category through their own task gets 404', async () => {
    const f = await fixture();
    const own = await stranger.createTask({ title: 'Stranger’s own task' });
    const before = await snapshot(f);
    const base = `/tasks/${own.id}`;
    const attempts: Array<Promise<Response>> = [
      stranger.patch(`${base}/comments/${f.comment.id}`, { body: 'Rewritten' }),
      stranger.del(`${base}/comments/${f.comment.id}`),
      stranger.get(`${base}/attachments/${f.attachment.id}/content`),
      stranger.del(`${base}/attachments/${f.attachment.id}`),
      stranger.post(`${base}/categories/${f.category.id}`),
      stranger.del(`${base}/categories/${f.category.id}`),
    ];
    for (const res of await Promise.all(attempts)) await expectProblem(res, 404);
    expect(await snapshot(f)).toEqual(before);
    expect(await stranger.task(own.id)).toEqual(own);
  });

  it('a stranger cannot assign the owner’s task to themself, nor find it by any filter', async () => {
    const f = await fixture();
    // Visibility is decided before the version: a stale version tells a stranger nothing either.
    await expectProblem(await stranger.patch(task(f), { status: 'completed', version: 999 }), 404);
    await expectProblem(
      await stranger.put(`${task(f)}/assignee`, { assignee_id: stranger.id }),
      404,
    );
    const queries = [
      '',
      '?scope=all',
      '?scope=assigned',
      '?scope=owned',
      `?assignee_id=${assignee.id}`,
      `?category_id=${f.category.id}`,
      `?q=${encodeURIComponent(f.task.title)}`,
    ];
    for (const query of queries) {
      const ids = (await stranger.list(query)).items.map((i) => i.id);
      expect(ids, query).not.toContain(f.task.id);
    }
    expect((await stranger.categories()).map((c) => c.id)).not.toContain(f.category.id);
  });
});

describe('a category of user B can never be attached by user A (404)', () => {
  it('not at create, nor by PATCH, nor through the categories route', async () => {
    const theirs = await stranger.createCategory();
    const mine = await owner.createCategory();
    const totalBefore = (await owner.list()).total;
    await expectProblem(
      await owner.post('/tasks', { title: 'With theirs', category_ids: [theirs.id] }),
      404,
    );
    await expectProblem(
      await owner.post('/tasks', { title: 'With both', category_ids: [mine.id, theirs.id] }),
      404,
    );
    expect((await owner.list()).total).toBe(totalBefore);

    const ownTask = await owner.createTask({ category_ids: [mine.id] });
    await expectProblem(
      await owner.patch(`/tasks/${ownTask.id}`, { category_ids: [mine.id, theirs.id], version: 1 }),
      404,
    );
    await expectProblem(await owner.post(`/tasks/${ownTask.id}/categories/${theirs.id}`), 404);
    expect(await owner.task(ownTask.id)).toEqual(ownTask);

    // The assignee's own category cannot be put on a task they do not own either.
    const f = await fixture();
    const assigneeCategory = await assignee.createCategory();
    await expectProblem(await assignee.post(`${task(f)}/categories/${assigneeCategory.id}`), 403);
    await expectProblem(await owner.post(`${task(f)}/categories/${assigneeCategory.id}`), 404);
    expect((await owner.task(f.task.id)).categories).toEqual([f.category]);
  });
});
