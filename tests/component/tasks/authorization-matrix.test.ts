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
import {
  archiveProject,
  inboxIdOf,
  sharedProject,
  taskIdsIn,
} from '../../support/tasks/shared-projects.ts';

/**
 * Object-level authorization on project membership, as one table: every task, comment and
 * attachment route (and the category routes that take an id) against every kind of caller. In a
 * shared project: a non-member gets 404, a `viewer` reads and comments, an `editor`+ changes,
 * assigns, moves and deletes tasks and attaches files, an `admin`+ also deletes others' comments;
 * nobody edits another's comment. In an Inbox, the assignee (no member) changes the status,
 * comments and attaches, and gets 403 for anything else. Every refusal leaves the state, re-read
 * afterwards, as it was. An archived project refuses every write with `project_archived`.
 */

const CALLERS = ['non-member', 'viewer', 'editor', 'admin', 'owner', 'inbox assignee'] as const;
type Caller = (typeof CALLERS)[number];
type Status = 200 | 201 | 204 | 403 | 404;

let t: TasksTestApp;
/** Creates the fixture's task, comment and file; an `editor` of the shared project. */
let author: TasksClient;
/** A `viewer` of the shared project, assigned its task: a member, but none of the callers. */
let helper: TasksClient;
let callers: Record<Caller, TasksClient>;
const inboxes = new Map<string, string>();

beforeAll(async () => {
  t = await createTasksTestApp();
  const users = await Promise.all([
    register(t),
    verifiedUser(t),
    ...CALLERS.map(() => verifiedUser(t)),
  ]);
  const [a, h, ...rest] = users.map((user) => new TasksClient(t, user));
  author = a!;
  helper = h!;
  callers = Object.fromEntries(CALLERS.map((caller, i) => [caller, rest[i]!])) as Record<
    Caller,
    TasksClient
  >;
  for (const client of [author, helper, ...Object.values(callers)]) {
    inboxes.set(client.id, await inboxIdOf(t, client.id));
  }
});
afterAll(async () => {
  await t.close();
});

interface Fixture {
  /** The task's project: a shared one, or the author's Inbox. */
  projectId: string;
  /** A shared project where only the author is a member. */
  elsewhere: string;
  task: TaskJson;
  /** The author's category the task is filed under, and one it is not. */
  filed: CategoryJson;
  unfiled: CategoryJson;
  comment: CommentJson;
  attachment: AttachmentJson;
  /** Someone the task may be assigned to there (a member of a shared project). */
  assignable: string;
}

async function fixture(kind: 'shared' | 'inbox'): Promise<Fixture> {
  const [filed, unfiled] = [await author.createCategory(), await author.createCategory()];
  const elsewhere = await sharedProject(t, [[author.id, 'owner']], 'Elsewhere');
  let projectId = inboxes.get(author.id)!;
  if (kind === 'shared') {
    projectId = await sharedProject(t, [
      [callers.owner.id, 'owner'],
      [callers.admin.id, 'admin'],
      [callers.editor.id, 'editor'],
      [callers.viewer.id, 'viewer'],
      [author.id, 'editor'],
      [helper.id, 'viewer'],
    ]);
  }
  const task = await author.createTask({
    title: 'Guarded task',
    description: 'Only for those who may see it',
    due_date: inHours(48),
    category_ids: [filed.id],
    assignee_id: kind === 'shared' ? helper.id : callers['inbox assignee'].id,
    ...(kind === 'shared' ? { project_id: projectId } : {}),
  });
  const comment = await author.comment(task.id, 'Author’s comment');
  const attachment = await author.attach(task.id, samples.pdf, 'author.pdf');
  return {
    projectId,
    elsewhere,
    task: await author.task(task.id),
    filed,
    unfiled,
    comment,
    attachment,
    assignable: kind === 'shared' ? callers.viewer.id : callers['non-member'].id,
  };
}

/** Everything a request could have changed, as the author sees it. */
async function snapshot(f: Fixture) {
  const download = await author.get(`/tasks/${f.task.id}/attachments/${f.attachment.id}/content`);
  return {
    task: await author.task(f.task.id),
    comments: await author.comments(f.task.id),
    attachments: await author.attachments(f.task.id),
    categories: await author.categories(),
    content: Buffer.from(await download.arrayBuffer()).toString('base64'),
    tasksInProject: await taskIdsIn(t, f.projectId),
    tasksElsewhere: await taskIdsIn(t, f.elsewhere),
  };
}

interface Row {
  /** `METHOD /path` as in `TASKS_ROUTES`. */
  route: string;
  what: string;
  /** A write to the task or what hangs off it (refused in an archived project); else a read. */
  kind: 'read' | 'write' | 'category';
  path(f: Fixture): string;
  body?(f: Fixture, caller: TasksClient): unknown;
  multipart?: true;
  /** The expected status per caller, in the order of `CALLERS`. */
  expect: readonly [Status, Status, Status, Status, Status, Status];
}

const task = (f: Fixture) => `/tasks/${f.task.id}`;
const v = (f: Fixture) => f.task.version;

const ROWS: Row[] = [
  {
    route: 'GET /tasks/:task',
    what: 'read the task',
    kind: 'read',
    path: task,
    expect: [404, 200, 200, 200, 200, 200],
  },
  {
    route: 'PATCH /tasks/:task',
    what: 'change the status',
    kind: 'write',
    path: task,
    body: (f) => ({ status: 'in_progress', version: v(f) }),
    expect: [404, 403, 200, 200, 200, 200],
  },
  {
    route: 'PATCH /tasks/:task',
    what: 'change the title',
    kind: 'write',
    path: task,
    body: (f) => ({ title: 'Changed title', version: v(f) }),
    expect: [404, 403, 200, 200, 200, 403],
  },
  {
    route: 'PATCH /tasks/:task',
    what: 'change the status and the priority at once',
    kind: 'write',
    path: task,
    body: (f) => ({ status: 'completed', priority: 'urgent', version: v(f) }),
    expect: [404, 403, 200, 200, 200, 403],
  },
  {
    route: 'PATCH /tasks/:task',
    what: 'move the task to their own Inbox',
    kind: 'write',
    path: task,
    body: (f, caller) => ({ project_id: inboxes.get(caller.id), version: v(f) }),
    expect: [404, 403, 200, 200, 200, 403],
  },
  {
    route: 'PATCH /tasks/:task',
    what: 'move the task to a project they are not a member of',
    kind: 'write',
    path: task,
    body: (f) => ({ project_id: f.elsewhere, version: v(f) }),
    expect: [404, 404, 404, 404, 404, 404],
  },
  {
    route: 'DELETE /tasks/:task',
    what: 'delete the task',
    kind: 'write',
    path: task,
    expect: [404, 403, 204, 204, 204, 403],
  },
  {
    route: 'PUT /tasks/:task/assignee',
    what: 'assign the task to someone assignable there',
    kind: 'write',
    path: (f) => `${task(f)}/assignee`,
    body: (f) => ({ assignee_id: f.assignable }),
    expect: [404, 403, 200, 200, 200, 403],
  },
  {
    route: 'PUT /tasks/:task/assignee',
    what: 'assign the task to a non-member',
    kind: 'write',
    path: (f) => `${task(f)}/assignee`,
    body: () => ({ assignee_id: callers['non-member'].id }),
    expect: [404, 403, 404, 404, 404, 403],
  },
  {
    route: 'DELETE /tasks/:task/assignee',
    what: 'unassign the task',
    kind: 'write',
    path: (f) => `${task(f)}/assignee`,
    expect: [404, 403, 204, 204, 204, 403],
  },
  {
    route: 'POST /tasks/:task/categories/:category',
    what: 'file the task under another of its owner’s categories',
    kind: 'write',
    path: (f) => `${task(f)}/categories/${f.unfiled.id}`,
    expect: [404, 403, 200, 200, 200, 403],
  },
  {
    route: 'DELETE /tasks/:task/categories/:category',
    what: 'take the task out of its category',
    kind: 'write',
    path: (f) => `${task(f)}/categories/${f.filed.id}`,
    expect: [404, 403, 204, 204, 204, 403],
  },
  {
    route: 'PATCH /categories/:category',
    what: 'rename the task owner’s category',
    kind: 'category',
    path: (f) => `/categories/${f.filed.id}`,
    body: () => ({ name: 'Hijacked category' }),
    expect: [404, 404, 404, 404, 404, 404],
  },
  {
    route: 'DELETE /categories/:category',
    what: 'delete the task owner’s category',
    kind: 'category',
    path: (f) => `/categories/${f.filed.id}`,
    expect: [404, 404, 404, 404, 404, 404],
  },
  {
    route: 'POST /tasks/:task/comments',
    what: 'comment',
    kind: 'write',
    path: (f) => `${task(f)}/comments`,
    body: () => ({ body: 'A word from the caller' }),
    expect: [404, 201, 201, 201, 201, 201],
  },
  {
    route: 'GET /tasks/:task/comments',
    what: 'list comments',
    kind: 'read',
    path: (f) => `${task(f)}/comments`,
    expect: [404, 200, 200, 200, 200, 200],
  },
  {
    route: 'PATCH /tasks/:task/comments/:comment',
    what: 'edit the author’s comment',
    kind: 'write',
    path: (f) => `${task(f)}/comments/${f.comment.id}`,
    body: () => ({ body: 'Words in the author’s mouth' }),
    expect: [404, 403, 403, 403, 403, 403],
  },
  {
    route: 'DELETE /tasks/:task/comments/:comment',
    what: 'delete the author’s comment',
    kind: 'write',
    path: (f) => `${task(f)}/comments/${f.comment.id}`,
    expect: [404, 403, 403, 204, 204, 403],
  },
  {
    route: 'POST /tasks/:task/attachments',
    what: 'attach a file',
    kind: 'write',
    path: (f) => `${task(f)}/attachments`,
    multipart: true,
    expect: [404, 403, 201, 201, 201, 201],
  },
  {
    route: 'GET /tasks/:task/attachments',
    what: 'list attachments',
    kind: 'read',
    path: (f) => `${task(f)}/attachments`,
    expect: [404, 200, 200, 200, 200, 200],
  },
  {
    route: 'GET /tasks/:task/attachments/:attachment/content',
    what: 'download the author’s file',
    kind: 'read',
    path: (f) => `${task(f)}/attachments/${f.attachment.id}/content`,
    expect: [404, 200, 200, 200, 200, 200],
  },
  {
    route: 'DELETE /tasks/:task/attachments/:attachment',
    what: 'delete the author’s file',
    kind: 'write',
    path: (f) => `${task(f)}/attachments/${f.attachment.id}`,
    expect: [404, 403, 204, 204, 204, 403],
  },
  {
    route: 'POST /tasks',
    what: 'create a task in the project',
    kind: 'write',
    path: () => '/tasks',
    body: (f) => ({ title: 'Another task', project_id: f.projectId }),
    expect: [404, 403, 201, 201, 201, 404],
  },
];

function send(caller: TasksClient, row: Row, f: Fixture): Promise<Response> {
  if (row.multipart) return caller.upload(f.task.id, samples.png, 'new.png');
  const method = row.route.split(' ')[0] as TasksRoute['method'];
  return caller.request(method, row.path(f), row.body?.(f, caller));
}

const CASES = ROWS.flatMap((row) => CALLERS.map((caller, i) => ({ row, caller, i })));

describe('the matrix covers every route that takes an id', () => {
  it('has a row for each such route', () => {
    const withIds = TASKS_ROUTES.filter((r) => r.path.includes(':')).map(routeName);
    const covered = new Set(ROWS.map((r) => r.route));
    expect(withIds.filter((name) => !covered.has(name))).toEqual([]);
  });
});

describe(`authorization matrix: ${ROWS.length} rows × ${CALLERS.length} callers = ${CASES.length} cases`, () => {
  for (const { row, caller, i } of CASES) {
    const expected = row.expect[i]!;
    it(`${caller}: ${row.route}, ${row.what} → ${expected}`, async () => {
      const f = await fixture(caller === 'inbox assignee' ? 'inbox' : 'shared');
      const before = await snapshot(f);
      const res = await send(callers[caller], row, f);
      if (expected < 400) {
        expect(res.status, await res.clone().text()).toBe(expected);
        return;
      }
      const problem = await expectProblem(
        res,
        expected,
        expected === 403 ? 'forbidden' : 'not_found',
      );
      // A refusal must not tell a hidden task from a missing one, nor change a thing.
      if (expected === 404) expect(JSON.stringify(problem)).not.toContain(f.task.title);
      expect(await snapshot(f)).toEqual(before);
    });
  }
});

describe(`an archived project: ${ROWS.length} rows for its owner`, () => {
  for (const row of ROWS) {
    const expected = row.kind === 'write' ? 403 : row.kind === 'read' ? 200 : 404;
    it(`${row.route}, ${row.what} → ${expected}`, async () => {
      const f = await fixture('shared');
      await archiveProject(t, f.projectId);
      const before = await snapshot(f);
      const res = await send(callers.owner, row, f);
      if (expected === 200) {
        expect(res.status, await res.clone().text()).toBe(200);
        return;
      }
      await expectProblem(res, expected, expected === 403 ? 'project_archived' : 'not_found');
      expect(await snapshot(f)).toEqual(before);
    });
  }
});

describe('own comments and files, and losing access', () => {
  it('a viewer edits and deletes their own comment; an editor deletes their own file', async () => {
    const f = await fixture('shared');
    const mine = await callers.viewer.comment(f.task.id, 'Mine');
    const edited = await callers.viewer.patch(`${task(f)}/comments/${mine.id}`, { body: 'Edited' });
    expect(edited.status).toBe(200);
    expect((await callers.viewer.del(`${task(f)}/comments/${mine.id}`)).status).toBe(204);
    const file = await callers.editor.attach(f.task.id, samples.gif, 'mine.gif');
    expect((await callers.editor.del(`${task(f)}/attachments/${file.id}`)).status).toBe(204);
    const after = await snapshot(f);
    expect(after.comments.map((c) => c.id)).toEqual([f.comment.id]);
    expect(after.attachments.map((a) => a.id)).toEqual([f.attachment.id]);
  });

  it('the Inbox assignee loses every right with the assignment', async () => {
    const f = await fixture('inbox');
    expect((await author.del(`${task(f)}/assignee`)).status).toBe(204);
    const before = await snapshot(f);
    for (const row of ROWS.filter((r) => r.kind !== 'category')) {
      const res = await send(callers['inbox assignee'], row, { ...f, task: before.task });
      await expectProblem(res, 404);
    }
    expect(await snapshot(f)).toEqual(before);
  });

  it('a shared project’s assignee is assigned only among its members, and moves keep it honest', async () => {
    const f = await fixture('shared');
    // The helper (assignee, a member) is no member of the target: no silent unassignment.
    const kept = await author.patch(task(f), { project_id: f.elsewhere, version: v(f) });
    await expectProblem(kept, 409, 'assignee_not_member');
    expect(await snapshot(f)).toMatchObject({ task: f.task });
    const moved = await author.patch(task(f), {
      project_id: f.elsewhere,
      assignee_id: null,
      version: v(f),
    });
    expect(moved.status, await moved.clone().text()).toBe(200);
    expect(await author.task(f.task.id)).toMatchObject({
      project_id: f.elsewhere,
      assignee_id: null,
      categories: [f.filed],
    });
    // Their former project's members see it no more.
    await expectProblem(await callers.owner.get(task(f)), 404);
  });
});

describe('ids of one object cannot be used through another the caller can see', () => {
  it('a stranger reaching the author’s comment, file or category through their own task gets 404', async () => {
    const f = await fixture('inbox');
    const own = await callers['non-member'].createTask({ title: 'Stranger’s own task' });
    const before = await snapshot(f);
    const base = `/tasks/${own.id}`;
    const attempts: Array<Promise<Response>> = [
      callers['non-member'].patch(`${base}/comments/${f.comment.id}`, { body: 'Rewritten' }),
      callers['non-member'].del(`${base}/comments/${f.comment.id}`),
      callers['non-member'].get(`${base}/attachments/${f.attachment.id}/content`),
      callers['non-member'].del(`${base}/attachments/${f.attachment.id}`),
      callers['non-member'].post(`${base}/categories/${f.filed.id}`),
      callers['non-member'].del(`${base}/categories/${f.filed.id}`),
    ];
    for (const res of await Promise.all(attempts)) await expectProblem(res, 404);
    expect(await snapshot(f)).toEqual(before);
    expect(await callers['non-member'].task(own.id)).toEqual(own);
  });

  it('a stranger cannot assign the author’s task to themself, nor find it by any filter', async () => {
    const f = await fixture('inbox');
    // Visibility is decided before the version: a stale version tells a stranger nothing either.
    await expectProblem(
      await callers['non-member'].patch(task(f), { status: 'completed', version: 999 }),
      404,
    );
    await expectProblem(
      await callers['non-member'].put(`${task(f)}/assignee`, {
        assignee_id: callers['non-member'].id,
      }),
      404,
    );
    const queries = [
      '',
      '?scope=all',
      '?scope=assigned',
      '?scope=owned',
      `?assignee_id=${callers['inbox assignee'].id}`,
      `?category_id=${f.filed.id}`,
      `?q=${encodeURIComponent(f.task.title)}`,
    ];
    for (const query of queries) {
      const ids = (await callers['non-member'].list(query)).items.map((i) => i.id);
      expect(ids, query).not.toContain(f.task.id);
    }
    expect((await callers['non-member'].categories()).map((c) => c.id)).not.toContain(f.filed.id);
  });
});

describe('a category of user B can never be attached by user A (404)', () => {
  it('not at create, nor by PATCH, nor through the categories route', async () => {
    const theirs = await callers['non-member'].createCategory();
    const mine = await author.createCategory();
    const totalBefore = (await author.list()).total;
    await expectProblem(
      await author.post('/tasks', { title: 'With theirs', category_ids: [theirs.id] }),
      404,
    );
    await expectProblem(
      await author.post('/tasks', { title: 'With both', category_ids: [mine.id, theirs.id] }),
      404,
    );
    expect((await author.list()).total).toBe(totalBefore);

    const ownTask = await author.createTask({ category_ids: [mine.id] });
    await expectProblem(
      await author.patch(`/tasks/${ownTask.id}`, {
        category_ids: [mine.id, theirs.id],
        version: 1,
      }),
      404,
    );
    await expectProblem(await author.post(`/tasks/${ownTask.id}/categories/${theirs.id}`), 404);
    expect(await author.task(ownTask.id)).toEqual(ownTask);

    // The assignee's own category cannot be put on a task they do not own either.
    const f = await fixture('inbox');
    const assigneeCategory = await callers['inbox assignee'].createCategory();
    await expectProblem(
      await callers['inbox assignee'].post(`${task(f)}/categories/${assigneeCategory.id}`),
      403,
    );
    await expectProblem(await author.post(`${task(f)}/categories/${assigneeCategory.id}`), 404);
    expect((await author.task(f.task.id)).categories).toEqual([f.filed]);
  });
});
