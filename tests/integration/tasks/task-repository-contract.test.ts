import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { entities } from '../../../src/container.ts';
import { MikroOrmCategoryRepository } from '../../../src/modules/tasks/adapters/persistence/mikro-orm-category-repository.ts';
import { MikroOrmProjectRepository } from '../../../src/modules/tasks/adapters/persistence/mikro-orm-project-repository.ts';
import { MikroOrmTaskRepository } from '../../../src/modules/tasks/adapters/persistence/mikro-orm-task-repository.ts';
import type {
  CategoryRepository,
  ProjectRepository,
  TaskListQuery,
  TaskRepository,
} from '../../../src/modules/tasks/application/ports.ts';
import {
  positionAfter,
  type TaskSort,
} from '../../../src/modules/tasks/application/support/task-sort.ts';
import { Category } from '../../../src/modules/tasks/domain/category.ts';
import type { ProjectRole } from '../../../src/modules/tasks/domain/project-role.ts';
import { Project } from '../../../src/modules/tasks/domain/project.ts';
import { Task, type TaskProps } from '../../../src/modules/tasks/domain/task.ts';
import { inMemoryUsers, storedUsers } from '../../support/tasks/contract-users.ts';
import { initOrm, type Orm } from '../../../src/shared/infra/orm.ts';
import { InMemoryCategoryRepository } from '../../support/tasks/in-memory-category-repository.ts';
import { InMemoryProjectRepository } from '../../support/tasks/in-memory-project-repository.ts';
import { InMemoryTaskRepository } from '../../support/tasks/in-memory-task-repository.ts';
import { InMemoryTasksDb } from '../../support/tasks/in-memory-tasks-db.ts';

/**
 * One contract for the task repository, run against the in-memory fake the use-case tests rely on
 * and against PostgreSQL, so the fake cannot drift from the SQL: filters, sorts, keyset paging
 * across pages with ties, soft delete, optimistic locking, search.
 */

interface World {
  tasks: TaskRepository;
  categories: CategoryRepository;
  projects: ProjectRepository;
  /** Three users the world knows (rows exist where the database needs them), each with an Inbox. */
  users: () => Promise<[string, string, string]>;
  /** Membership changes the repositories under test only read. */
  join: (projectId: string, userId: string, role: ProjectRole) => Promise<void>;
  leave: (projectId: string, userId: string) => Promise<void>;
  deleteProject: (projectId: string, at: Date) => Promise<void>;
}

let orm: Orm;

beforeAll(async () => {
  orm = await initOrm({ databaseUrl: inject('databaseUrl'), entities, poolMax: 4 });
});

afterAll(async () => {
  await orm.close();
});

const inMemory = (): World => {
  const db = new InMemoryTasksDb();
  const projects = new InMemoryProjectRepository(db);
  return {
    tasks: new InMemoryTaskRepository(db),
    categories: new InMemoryCategoryRepository(db),
    projects,
    users: () => inMemoryUsers(db),
    join: (projectId, userId, role) => {
      db.tables.members.get(projectId)!.set(userId, role);
      return Promise.resolve();
    },
    leave: (projectId, userId) => {
      db.tables.members.get(projectId)!.delete(userId);
      return Promise.resolve();
    },
    deleteProject: (projectId, at) => {
      db.tables.projects.get(projectId)!.deletedAt = at;
      return Promise.resolve();
    },
  };
};

const postgres = (): World => {
  const em = orm.em.fork();
  const execute = (text: string, params: unknown[]) =>
    orm.em
      .getConnection()
      .execute(text, params)
      .then(() => undefined);
  return {
    tasks: new MikroOrmTaskRepository(em),
    categories: new MikroOrmCategoryRepository(em),
    projects: new MikroOrmProjectRepository(em),
    users: () => storedUsers(orm),
    join: (projectId, userId, role) =>
      execute(
        `insert into project_members (project_id, user_id, role, joined_at) values (?, ?, ?, now())`,
        [projectId, userId, role],
      ),
    leave: (projectId, userId) =>
      execute('delete from project_members where project_id = ? and user_id = ?', [
        projectId,
        userId,
      ]),
    deleteProject: (projectId, at) =>
      execute('update projects set deleted_at = ? where id = ?', [at, projectId]),
  };
};

const T0 = new Date('2030-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function task(ownerId: string, overrides: Partial<TaskProps> = {}): Task {
  const status = overrides.status ?? 'pending';
  return Task.restore({
    id: randomUUID(),
    projectId: ownerId,
    ownerId,
    assigneeId: null,
    title: 'A task',
    description: null,
    status,
    priority: 'medium',
    dueDate: null,
    remindAt: null,
    categoryIds: [],
    createdAt: T0,
    updatedAt: T0,
    completedAt: status === 'completed' ? T0 : null,
    deletedAt: null,
    version: 1,
    ...overrides,
  });
}

const query = (userId: string, extra: Partial<TaskListQuery> = {}): TaskListQuery => ({
  userId,
  scope: 'all',
  sort: '-created_at',
  limit: 100,
  window: { type: 'offset', offset: 0 },
  ...extra,
});

describe.each([
  ['in-memory', inMemory],
  ['postgres', postgres],
] as const)('task repository contract (%s)', (_name, makeWorld) => {
  let world: World;
  let owner: string;
  let assignee: string;
  let stranger: string;

  beforeAll(async () => {
    world = makeWorld();
    [owner, assignee, stranger] = await world.users();
  });

  const ids = async (q: TaskListQuery) =>
    (await world.tasks.list(q)).items.map((view) => view.task.id);

  it('shows a task to its owner and assignee only, with its categories by name', async () => {
    const zebra = Category.restore({
      id: randomUUID(),
      userId: owner,
      name: 'zebra',
      color: null,
      createdAt: T0,
    });
    const apple = Category.restore({
      id: randomUUID(),
      userId: owner,
      name: 'Apple',
      color: '#00ff00',
      createdAt: T0,
    });
    expect(await world.categories.insert(zebra)).toBe(true);
    expect(await world.categories.insert(apple)).toBe(true);
    const t = task(owner, { assigneeId: assignee, categoryIds: [zebra.id, apple.id] });
    await world.tasks.insert(t);

    const seen = await world.tasks.findVisible(t.id, owner);
    expect(seen?.task.toProps()).toEqual({ ...t.toProps(), categoryIds: [apple.id, zebra.id] });
    expect(seen?.categories.map((c) => c.name)).toEqual(['Apple', 'zebra']);
    expect(seen?.commentCount).toBe(0);
    expect(seen?.attachmentCount).toBe(0);
    expect((await world.tasks.findVisible(t.id, assignee))?.task.id).toBe(t.id);
    expect(await world.tasks.findVisible(t.id, stranger)).toBeUndefined();
    expect(await world.tasks.lockParties(t.id)).toEqual({
      projectId: owner,
      ownerId: owner,
      assigneeId: assignee,
      deletedAt: null,
    });
  });

  it('writes a change at the expected version, and refuses a stale one with the current version', async () => {
    const t = task(owner);
    await world.tasks.insert(t);
    const changed = Task.restore({
      ...t.toProps(),
      title: 'Renamed',
      status: 'in_progress',
      updatedAt: at(5),
      version: 2,
    });
    expect(await world.tasks.update(changed, 1)).toEqual({ type: 'written' });
    const stale = Task.restore({ ...t.toProps(), title: 'Lost', version: 2 });
    expect(await world.tasks.update(stale, 1)).toEqual({ type: 'conflict', currentVersion: 2 });
    const stored = await world.tasks.findVisible(t.id, owner);
    expect(stored?.task.toProps()).toEqual(changed.toProps());
  });

  it('hides a soft-deleted task everywhere and answers gone to a later write', async () => {
    const t = task(owner, { title: 'Doomed' });
    await world.tasks.insert(t);
    const deleted = Task.restore({ ...t.toProps(), deletedAt: at(1), version: 2 });
    expect(await world.tasks.update(deleted, 1)).toEqual({ type: 'written' });
    expect(await world.tasks.findVisible(t.id, owner)).toBeUndefined();
    expect(await ids(query(owner))).not.toContain(t.id);
    expect(await world.tasks.update(Task.restore({ ...t.toProps(), version: 3 }), 2)).toEqual({
      type: 'gone',
    });
    expect((await world.tasks.lockParties(t.id))?.deletedAt).toEqual(at(1));
  });

  describe('lists', () => {
    let lister: string;
    let other: string;
    let category: string;
    const made: Task[] = [];

    beforeAll(async () => {
      [lister, other] = await world.users();
      category = randomUUID();
      await world.categories.insert(
        Category.restore({
          id: category,
          userId: lister,
          name: 'home',
          color: null,
          createdAt: T0,
        }),
      );
      const specs: Array<Partial<TaskProps>> = [
        // Ties on created_at (0, 0, 0), on priority and on due date, and tasks without a due date.
        { createdAt: at(0), priority: 'high', dueDate: at(60), title: 'Alpha 100% done' },
        { createdAt: at(0), priority: 'low', dueDate: null, title: 'beta report' },
        { createdAt: at(0), priority: 'high', dueDate: at(60), title: 'Gamma' },
        { createdAt: at(1), priority: 'urgent', dueDate: at(30), title: 'delta REPORT' },
        {
          createdAt: at(2),
          priority: 'medium',
          dueDate: null,
          status: 'completed',
          title: 'Epsilon',
          completedAt: at(3),
        },
        { createdAt: at(3), priority: 'low', dueDate: at(90), title: 'zeta', categoryIds: [] },
        {
          createdAt: at(3),
          priority: 'high',
          dueDate: at(10),
          title: 'Eta',
          description: 'report x',
        },
      ];
      for (const [i, spec] of specs.entries()) {
        const t = task(lister, {
          ...spec,
          updatedAt: at(10 + (i % 3)),
          categoryIds: i % 2 === 0 ? [category] : [],
        });
        made.push(t);
        await world.tasks.insert(t);
      }
      // Assigned to the lister by someone else, and the other's own task (never listed).
      const assigned = task(other, { createdAt: at(4), title: 'Assigned', assigneeId: lister });
      made.push(assigned);
      await world.tasks.insert(assigned);
      await world.tasks.insert(task(other, { createdAt: at(5), title: 'Not mine' }));
    });

    it('filters by status, priority, due range, category, assignee and scope', async () => {
      const id = (title: string) => made.find((t) => t.title === title)!.id;
      const sorted = (titles: string[]) => titles.map(id).sort();
      const got = async (extra: Partial<TaskListQuery>) => (await ids(query(lister, extra))).sort();
      expect(await got({ status: 'completed' })).toEqual(sorted(['Epsilon']));
      expect(await got({ priority: 'high' })).toEqual(sorted(['Alpha 100% done', 'Gamma', 'Eta']));
      expect(await got({ dueFrom: at(30), dueTo: at(60) })).toEqual(
        sorted(['Alpha 100% done', 'Gamma', 'delta REPORT']),
      );
      expect(await got({ categoryId: category })).toEqual(
        sorted(['Alpha 100% done', 'Gamma', 'Epsilon', 'Eta']),
      );
      expect(await got({ assigneeId: lister })).toEqual(sorted(['Assigned']));
      expect(await got({ scope: 'assigned' })).toEqual(sorted(['Assigned']));
      expect((await got({ scope: 'owned' })).length).toBe(7);
      expect((await got({})).length).toBe(8);
    });

    it('searches title and description case-insensitively, `%` taken literally', async () => {
      const titles = async (q: string) =>
        (await world.tasks.list(query(lister, { q }))).items.map((v) => v.task.title).sort();
      expect(await titles('REPORT')).toEqual(['Eta', 'beta report', 'delta REPORT']);
      expect(await titles('100%')).toEqual(['Alpha 100% done']);
      expect(await titles('0%d')).toEqual([]);
      expect(await titles('a_')).toEqual([]);
    });

    const sorts: TaskSort[] = [
      'created_at',
      '-created_at',
      'due_date',
      '-due_date',
      'priority',
      '-priority',
      'title',
      '-title',
      'updated_at',
      '-updated_at',
    ];

    it.each(sorts)(
      'pages by %s with a keyset across ties, offsets and totals agreeing',
      async (sort) => {
        const all = await world.tasks.list(query(lister, { sort }));
        expect(all.total).toBe(8);
        expect(all.hasMore).toBe(false);
        const order = all.items.map((v) => v.task.id);
        expect(new Set(order).size).toBe(8);

        const paged: string[] = [];
        let window: TaskListQuery['window'] = { type: 'offset', offset: 0 };
        for (let page = 0; page < 5; page++) {
          const result = await world.tasks.list(query(lister, { sort, limit: 3, window }));
          paged.push(...result.items.map((v) => v.task.id));
          const last = result.items.at(-1);
          if (!result.hasMore || !last) break;
          window = { type: 'after', position: positionAfter(last.task, sort) };
        }
        expect(paged).toEqual(order);

        const offsetPage = await world.tasks.list(
          query(lister, { sort, limit: 3, window: { type: 'offset', offset: 3 } }),
        );
        expect(offsetPage.items.map((v) => v.task.id)).toEqual(order.slice(3, 6));
        expect(offsetPage.hasMore).toBe(true);
        const noTotal = await world.tasks.list(query(lister, { sort, withTotal: false }));
        expect(noTotal.total).toBeUndefined();
      },
    );

    it('orders by the sort key, then by id in the same direction, no due date last both ways', async () => {
      const order = async (sort: TaskSort) =>
        (await world.tasks.list(query(lister, { sort }))).items.map((v) => v.task);
      const byDue = await order('due_date');
      expect(byDue.slice(-2).every((t) => t.dueDate === null)).toBe(true);
      const byDueDesc = await order('-due_date');
      expect(byDueDesc.slice(-2).every((t) => t.dueDate === null)).toBe(true);
      const created = await order('-created_at');
      const ties = created.filter((t) => t.createdAt.getTime() === at(0).getTime());
      expect(ties.map((t) => t.id)).toEqual(
        ties
          .map((t) => t.id)
          .sort()
          .reverse(),
      );
    });
  });

  describe('lists across projects', () => {
    let me: string;
    let alice: string;
    let bob: string;
    const made = new Map<string, Task>();
    const shared = async (name: string, ownerId: string) => {
      const project = Project.create({ id: randomUUID(), name }, T0)._unsafeUnwrap();
      await world.projects.insert(project, ownerId);
      return project.id;
    };
    const add = async (title: string, ownerId: string, overrides: Partial<TaskProps>) => {
      const t = task(ownerId, { title, ...overrides });
      made.set(title, t);
      await world.tasks.insert(t);
    };
    const titles = async (extra: Partial<TaskListQuery>) =>
      (await world.tasks.list(query(me, extra))).items.map((v) => v.task.title).sort();
    let a: string;
    let c: string;
    let d: string;

    beforeAll(async () => {
      [me, alice, bob] = await world.users();
      a = await shared('A', alice);
      const b = await shared('B', bob);
      c = await shared('C', alice);
      d = await shared('D', bob);
      const e = await shared('E', alice);
      await world.join(a, me, 'editor');
      await world.join(a, bob, 'viewer');
      await world.join(b, me, 'viewer');
      await world.join(d, me, 'editor');
      await world.join(e, me, 'editor');
      const specs: Array<[string, string, Partial<TaskProps>]> = [
        ['inbox 1', me, { createdAt: at(0) }],
        ['inbox 2', me, { createdAt: at(3), priority: 'urgent' }],
        ['a by alice', alice, { projectId: a, createdAt: at(0) }],
        ['a by me', me, { projectId: a, createdAt: at(1), status: 'in_progress' }],
        ['a assigned to me', bob, { projectId: a, createdAt: at(2), assigneeId: me }],
        ['a deleted', alice, { projectId: a, createdAt: at(2), deletedAt: at(5) }],
        ['b by bob', bob, { projectId: b, createdAt: at(0), priority: 'high' }],
        ['b no due', bob, { projectId: b, createdAt: at(4), dueDate: null }],
        ['c assigned to me', alice, { projectId: c, createdAt: at(1), assigneeId: me }],
        ['c not mine', alice, { projectId: c, createdAt: at(1) }],
        ['d of a deleted project', bob, { projectId: d, createdAt: at(2) }],
        ['e by me', me, { projectId: e, createdAt: at(3) }],
        ['e assigned to me', alice, { projectId: e, createdAt: at(0), assigneeId: me }],
        ['alice inbox assigned to me', alice, { createdAt: at(4), assigneeId: me }],
        ['alice inbox', alice, { createdAt: at(4) }],
      ];
      for (const [i, [title, ownerId, overrides]] of specs.entries()) {
        await add(title, ownerId, {
          dueDate: at(100 - i),
          updatedAt: at(20 + (i % 4)),
          ...overrides,
        });
      }
      await world.deleteProject(d, at(6));
      await world.leave(e, me);
    });

    const visible = [
      'inbox 1',
      'inbox 2',
      'a by alice',
      'a by me',
      'a assigned to me',
      'b by bob',
      'b no due',
      'alice inbox assigned to me',
    ];

    it('sees every task of its live projects and those assigned to it in an Inbox, each once', async () => {
      const all = await world.tasks.list(query(me));
      expect(all.items.map((v) => v.task.title).sort()).toEqual([...visible].sort());
      expect(all.total).toBe(visible.length);
    });

    it('lists exactly the tasks findVisible shows, in every scope', async () => {
      const shown = new Set<string>();
      for (const [title, t] of made) {
        if (await world.tasks.findVisible(t.id, me)) shown.add(title);
      }
      expect([...shown].sort()).toEqual([...visible].sort());
      const owned = [...made].filter(([title, t]) => shown.has(title) && t.ownerId === me);
      expect(await titles({ scope: 'owned' })).toEqual(owned.map(([title]) => title).sort());
      const assigned = [...made].filter(([title, t]) => shown.has(title) && t.assigneeId === me);
      expect(await titles({ scope: 'assigned' })).toEqual(assigned.map(([title]) => title).sort());
    });

    it('does not list a task assigned to it in a shared project it is not a member of', async () => {
      // 'c assigned to me' (never a member) and 'e assigned to me' (left E): GET would 404 both.
      for (const scope of ['all', 'owned', 'assigned'] as const) {
        expect(await titles({ scope, q: 'c assigned' })).toEqual([]);
        expect(await titles({ scope, q: 'e assigned' })).toEqual([]);
      }
      expect(await world.tasks.findVisible(made.get('c assigned to me')!.id, me)).toBeUndefined();
      expect(await world.tasks.findVisible(made.get('e assigned to me')!.id, me)).toBeUndefined();
    });

    it('narrows by scope, project and the filters', async () => {
      expect(await titles({ scope: 'owned' })).toEqual(['a by me', 'inbox 1', 'inbox 2']);
      expect(await titles({ scope: 'assigned' })).toEqual([
        'a assigned to me',
        'alice inbox assigned to me',
      ]);
      expect(await titles({ projectId: a })).toEqual(['a assigned to me', 'a by alice', 'a by me']);
      expect(await titles({ projectId: c })).toEqual([]);
      expect(await titles({ projectId: d })).toEqual([]);
      expect(await titles({ projectId: a, scope: 'owned' })).toEqual(['a by me']);
      expect(await titles({ projectId: c, scope: 'assigned' })).toEqual([]);
      expect(await titles({ projectId: a, scope: 'assigned' })).toEqual(['a assigned to me']);
      expect(await titles({ projectId: alice })).toEqual(['alice inbox assigned to me']);
      expect(await titles({ projectId: alice, scope: 'assigned' })).toEqual([
        'alice inbox assigned to me',
      ]);
      expect(await titles({ status: 'in_progress' })).toEqual(['a by me']);
      expect(await titles({ priority: 'high' })).toEqual(['b by bob']);
      expect(await titles({ assigneeId: me, projectId: a })).toEqual(['a assigned to me']);
      expect(await titles({ q: 'ASSIGNED TO' })).toEqual([
        'a assigned to me',
        'alice inbox assigned to me',
      ]);
      const counted = await world.tasks.list(query(me, { projectId: a, limit: 1 }));
      expect(counted.total).toBe(3);
      expect(counted.hasMore).toBe(true);
    });

    it.each(['-created_at', 'due_date', '-due_date', 'priority', 'title', '-updated_at'] as const)(
      'pages by %s with a keyset through every project, as one list',
      async (sort) => {
        const order = (await world.tasks.list(query(me, { sort }))).items.map((v) => v.task.id);
        expect(order).toHaveLength(visible.length);
        const paged: string[] = [];
        let window: TaskListQuery['window'] = { type: 'offset', offset: 0 };
        for (let page = 0; page < 10; page++) {
          const result = await world.tasks.list(query(me, { sort, limit: 3, window }));
          paged.push(...result.items.map((v) => v.task.id));
          const last = result.items.at(-1);
          if (!result.hasMore || !last) break;
          window = { type: 'after', position: positionAfter(last.task, sort) };
        }
        expect(paged).toEqual(order);
        const offsetPage = await world.tasks.list(
          query(me, { sort, limit: 4, window: { type: 'offset', offset: 4 } }),
        );
        expect(offsetPage.items.map((v) => v.task.id)).toEqual(order.slice(4, 8));
      },
    );

    it('drops every task of a project from the list of a member who leaves, those assigned to them too', async () => {
      const [member, owner] = await world.users();
      const project = await shared('Left', owner);
      await world.join(project, member, 'editor');
      const mine = task(member, { projectId: project, title: 'made before leaving' });
      const theirs = task(owner, {
        projectId: project,
        title: 'assigned',
        assigneeId: member,
        status: 'completed',
      });
      await world.tasks.insert(mine);
      await world.tasks.insert(theirs);
      const listed = async () =>
        (await world.tasks.list(query(member, { projectId: project }))).items
          .map((v) => v.task.title)
          .sort();
      expect(await listed()).toEqual(['assigned', 'made before leaving']);
      await world.leave(project, member);
      // In a shared project visibility is membership alone: a completed task keeps its assignee.
      expect(await listed()).toEqual([]);
      expect((await world.tasks.list(query(member, { scope: 'owned' }))).total).toBe(0);
      expect((await world.tasks.list(query(member, { scope: 'assigned' }))).total).toBe(0);
      expect(await world.tasks.findVisible(theirs.id, member)).toBeUndefined();
    });
  });

  it('lists nothing for a user with no tasks (total 0)', async () => {
    expect(await world.tasks.list(query(stranger))).toEqual({
      items: [],
      total: 0,
      hasMore: false,
    });
  });
});
