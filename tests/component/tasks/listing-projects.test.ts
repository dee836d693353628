import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTasksTestApp,
  expectProblem,
  fieldsOf,
  NO_SUCH_ID,
  TasksClient,
  verifiedUser,
  type TaskJson,
  type TaskListJson,
  type TasksTestApp,
} from '../../support/tasks/http-tasks.ts';

/**
 * GET /tasks across projects: what a member of shared projects sees (`scope`, `project_id`), and
 * keyset paging through several projects at once. The list shows what GET /tasks/{id} shows: the
 * tasks of my live projects, and those assigned to me in another user's Inbox; an assignment in a
 * shared project I am not a member of shows nothing. Shared projects, memberships and assignments
 * are written straight to the database (the list is what is under test, not how projects are
 * managed), except leaving, which goes through its route.
 */

let t: TasksTestApp;
let me: TasksClient;
let alice: TasksClient;
let bob: TasksClient;
let projectA: string;
let projectB: string;
let projectC: string;
/** Title → task, as created. */
const tasks = new Map<string, TaskJson>();

const sql = (text: string, params: unknown[] = []) =>
  t.container.orm.em.getConnection().execute(text, params);

async function sharedProject(name: string, owner: TasksClient, members: TasksClient[]) {
  const id = randomUUID();
  await sql(`insert into projects (id, name, created_at, updated_at) values (?, ?, now(), now())`, [
    id,
    name,
  ]);
  await sql(
    `insert into project_members (project_id, user_id, role, joined_at) values (?, ?, 'owner', now())`,
    [id, owner.id],
  );
  for (const member of members) {
    await sql(
      `insert into project_members (project_id, user_id, role, joined_at) values (?, ?, 'editor', now())`,
      [id, member.id],
    );
  }
  return id;
}

/** A task `client` creates, then placed in `projectId` (and assigned) as the fixture needs. */
async function add(
  client: TasksClient,
  title: string,
  place: { projectId?: string; assigneeId?: string } = {},
) {
  const created = await client.createTask({ title });
  if (place.projectId) {
    await sql('update tasks set project_id = ? where id = ?', [place.projectId, created.id]);
  }
  if (place.assigneeId) {
    await sql('update tasks set assignee_id = ? where id = ?', [place.assigneeId, created.id]);
  }
  tasks.set(title, created);
  return created;
}

const titles = (list: TaskListJson) => list.items.map((task) => task.title).sort();
const idOf = (title: string) => tasks.get(title)!.id;

beforeAll(async () => {
  t = await createTasksTestApp();
  const [m, a, b] = await Promise.all([verifiedUser(t), verifiedUser(t), verifiedUser(t)]);
  me = new TasksClient(t, m);
  alice = new TasksClient(t, a);
  bob = new TasksClient(t, b);
  projectA = await sharedProject('A', alice, [me, bob]);
  projectB = await sharedProject('B', bob, [me]);
  projectC = await sharedProject('C', alice, []);

  await add(me, 'inbox mine');
  await add(me, 'a mine', { projectId: projectA });
  await add(alice, 'a alice', { projectId: projectA });
  await add(bob, 'a bob assigned to me', { projectId: projectA, assigneeId: me.id });
  await add(bob, 'b bob', { projectId: projectB });
  await add(alice, 'c assigned to me', { projectId: projectC, assigneeId: me.id });
  await add(alice, 'c alice', { projectId: projectC });
  await add(alice, 'alice inbox assigned to me', { assigneeId: me.id });
  await add(alice, 'alice inbox');
  const deleted = await add(alice, 'a deleted', { projectId: projectA });
  expect((await alice.del(`/tasks/${deleted.id}`)).status).toBe(204);
});

afterAll(async () => {
  await t.close();
});

const EVERYTHING_I_SEE = [
  'a alice',
  'a bob assigned to me',
  'a mine',
  'alice inbox assigned to me',
  'b bob',
  'inbox mine',
];

/** Every task created here that the list must never show me. */
const HIDDEN_FROM_ME = ['c assigned to me', 'c alice', 'alice inbox', 'a deleted'];

describe('scope', () => {
  it("all (the default): every task of my projects, and those assigned to me in another's Inbox, once each", async () => {
    const list = await me.list();
    expect(titles(list)).toEqual(EVERYTHING_I_SEE);
    expect(list.total).toBe(EVERYTHING_I_SEE.length);
    expect(titles(await me.list('?scope=all'))).toEqual(EVERYTHING_I_SEE);
  });

  it('owned: the tasks I created that I can see', async () => {
    expect(titles(await me.list('?scope=owned'))).toEqual(['a mine', 'inbox mine']);
  });

  it("assigned: the tasks assigned to me in my projects and in another's Inbox", async () => {
    expect(titles(await me.list('?scope=assigned'))).toEqual([
      'a bob assigned to me',
      'alice inbox assigned to me',
    ]);
  });

  for (const scope of ['all', 'owned', 'assigned']) {
    it(`${scope}: every task listed opens with GET /tasks/{id}, and none hidden is listed`, async () => {
      const listed = (await me.list(`?scope=${scope}&limit=100`)).items;
      expect(listed.length).toBeGreaterThan(0);
      for (const task of listed) {
        expect((await me.get(`/tasks/${task.id}`)).status, task.title).toBe(200);
      }
      for (const title of HIDDEN_FROM_ME) {
        expect(listed.map((task) => task.id)).not.toContain(idOf(title));
        await expectProblem(await me.get(`/tasks/${idOf(title)}`), 404);
      }
    });
  }

  it("shows another member the same project's tasks, and not mine elsewhere", async () => {
    expect(titles(await bob.list(`?project_id=${projectA}`))).toEqual([
      'a alice',
      'a bob assigned to me',
      'a mine',
    ]);
    expect(titles(await bob.list())).not.toContain('inbox mine');
  });
});

describe('project_id', () => {
  it('lists one project of mine, combined with scope and the filters', async () => {
    const list = await me.list(`?project_id=${projectA}`);
    expect(titles(list)).toEqual(['a alice', 'a bob assigned to me', 'a mine']);
    expect(list.total).toBe(3);
    expect(titles(await me.list(`?project_id=${projectA}&scope=owned`))).toEqual(['a mine']);
    expect(titles(await me.list(`?project_id=${projectA}&q=ASSIGNED`))).toEqual([
      'a bob assigned to me',
    ]);
    expect(titles(await me.list(`?project_id=${projectB}`))).toEqual(['b bob']);
  });

  it('of a shared project I am not a member of: nothing, not even its tasks assigned to me', async () => {
    for (const scope of ['all', 'owned', 'assigned']) {
      const list = await me.list(`?project_id=${projectC}&scope=${scope}`);
      expect(list.items).toEqual([]);
      expect(list.total).toBe(0);
    }
  });

  it("of another user's Inbox: only its tasks assigned to me", async () => {
    const [{ id: inbox }] = (await sql('select id from projects where inbox_user_id = ?', [
      alice.id,
    ])) as [{ id: string }];
    expect(titles(await me.list(`?project_id=${inbox}`))).toEqual(['alice inbox assigned to me']);
    expect(titles(await me.list(`?project_id=${inbox}&scope=assigned`))).toEqual([
      'alice inbox assigned to me',
    ]);
  });

  it('of an unknown project: an empty list', async () => {
    const list = await me.list(`?project_id=${NO_SUCH_ID}`);
    expect(list.items).toEqual([]);
    expect(list.total).toBe(0);
  });

  it('refuses a project_id that is not a UUID (400 naming it)', async () => {
    const problem = await expectProblem(await me.get('/tasks?project_id=inbox'), 400);
    expect(fieldsOf(problem)).toContain('project_id');
  });
});

describe('keyset paging across projects', () => {
  async function walk(sort: string, limit: number, during?: (page: number) => Promise<unknown>) {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 50; page++) {
      const query: string = `?sort=${encodeURIComponent(sort)}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      // Tasks are inserted while the page is being read.
      const [list] = await Promise.all([me.list(query), during?.(page)]);
      seen.push(...list.items.map((task) => task.id));
      cursor = list.next_cursor;
      if (cursor === null) return seen;
    }
    throw new Error('the cursor never ended');
  }

  for (const sort of ['-created_at', 'title', '-priority', 'due_date']) {
    it(`sort=${sort}: visits every task of every project once, as one ordered list`, async () => {
      const all = (await me.list(`?sort=${encodeURIComponent(sort)}&limit=100`)).items.map(
        (task) => task.id,
      );
      expect(all).toHaveLength(EVERYTHING_I_SEE.length);
      expect(await walk(sort, 2)).toEqual(all);
    });
  }

  it('misses nothing and repeats nothing while tasks are added to the projects', async () => {
    const before = (await me.list('?limit=100')).items.map((task) => task.id);
    const added: string[] = [];
    const seen = await walk('-created_at', 2, async (page) => {
      // The first page has no cursor yet: a task added meanwhile may rightly be on it.
      if (page === 0) return;
      const projectId = [projectA, projectB, undefined][page % 3];
      const created = await add(me, `added during page ${page}`, { projectId });
      added.push(created.id);
    });
    // Newest first: what was added while walking sorts before the cursor, so the walk is exactly
    // the list as it was when it began.
    expect(added.length).toBeGreaterThan(1);
    expect(seen).toEqual(before);
    expect(new Set(seen).size).toBe(seen.length);
    const after = (await me.list('?limit=100')).items.map((task) => task.id);
    expect(after).toEqual([...added.reverse(), ...before]);
  });
});

describe('leaving and deleting', () => {
  it("drops a project's tasks once I leave it, a completed one still assigned to me too", async () => {
    const owner = new TasksClient(t, await verifiedUser(t));
    const project = await sharedProject('Left', owner, [bob]);
    await add(bob, 'left: made by bob', { projectId: project });
    await add(owner, 'left: open, assigned to bob', { projectId: project, assigneeId: bob.id });
    const done = await add(owner, 'left: done, assigned to bob', {
      projectId: project,
      assigneeId: bob.id,
    });
    await sql(`update tasks set status = 'completed', completed_at = now() where id = ?`, [
      done.id,
    ]);
    expect(titles(await bob.list(`?project_id=${project}`))).toEqual([
      'left: done, assigned to bob',
      'left: made by bob',
      'left: open, assigned to bob',
    ]);
    // Leaving unassigns the open tasks; a completed one keeps its assignee, but in a shared
    // project visibility is membership alone: neither the list nor GET /tasks/{id} shows it.
    expect((await bob.del(`/projects/${project}/members/${bob.id}`)).status).toBe(204);
    const [stillAssigned] = await sql('select assignee_id from tasks where id = ?', [done.id]);
    expect(stillAssigned).toEqual({ assignee_id: bob.id });
    for (const scope of ['all', 'owned', 'assigned']) {
      const list = await bob.list(`?project_id=${project}&scope=${scope}`);
      expect(list.items).toEqual([]);
      expect(list.total).toBe(0);
      expect(
        (await bob.list(`?scope=${scope}&limit=100`)).items.map((task) => task.id),
      ).not.toContain(done.id);
    }
    await expectProblem(await bob.get(`/tasks/${done.id}`), 404);
    expect(titles(await bob.list('?scope=owned'))).not.toContain('left: made by bob');
    expect((await bob.list()).items.map((task) => task.id)).not.toContain(
      idOf('left: made by bob'),
    );
  });

  it('never lists the tasks of a deleted project', async () => {
    const project = await sharedProject('Doomed', alice, [bob]);
    await add(alice, 'doomed: assigned to bob', { projectId: project, assigneeId: bob.id });
    expect(titles(await bob.list('?scope=assigned'))).toContain('doomed: assigned to bob');
    await sql('update projects set deleted_at = now() where id = ?', [project]);
    for (const scope of ['all', 'owned', 'assigned']) {
      expect(titles(await bob.list(`?scope=${scope}`))).not.toContain('doomed: assigned to bob');
      expect(titles(await alice.list(`?scope=${scope}`))).not.toContain('doomed: assigned to bob');
    }
    expect((await alice.list(`?project_id=${project}`)).total).toBe(0);
  });
});
