import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { entities } from '../../../src/container.ts';
import { MikroOrmCategoryRepository } from '../../../src/modules/tasks/adapters/persistence/mikro-orm-category-repository.ts';
import { MikroOrmTaskRepository } from '../../../src/modules/tasks/adapters/persistence/mikro-orm-task-repository.ts';
import type {
  CategoryRepository,
  TaskListQuery,
  TaskRepository,
} from '../../../src/modules/tasks/application/ports.ts';
import {
  positionAfter,
  type TaskSort,
} from '../../../src/modules/tasks/application/support/task-sort.ts';
import { Category } from '../../../src/modules/tasks/domain/category.ts';
import { Task, type TaskProps } from '../../../src/modules/tasks/domain/task.ts';
import { inMemoryUsers, storedUsers } from '../../support/tasks/contract-users.ts';
import { initOrm, type Orm } from '../../../src/shared/infra/orm.ts';
import { InMemoryCategoryRepository } from '../../support/tasks/in-memory-category-repository.ts';
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
  /** Three users the world knows (rows exist where the database needs them). */
  users: () => Promise<[string, string, string]>;
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
  return {
    tasks: new InMemoryTaskRepository(db),
    categories: new InMemoryCategoryRepository(db),
    users: () => inMemoryUsers(db),
  };
};

const postgres = (): World => {
  const em = orm.em.fork();
  return {
    tasks: new MikroOrmTaskRepository(em),
    categories: new MikroOrmCategoryRepository(em),
    users: () => storedUsers(orm),
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

  it('lists nothing for a user with no tasks (total 0)', async () => {
    expect(await world.tasks.list(query(stranger))).toEqual({
      items: [],
      total: 0,
      hasMore: false,
    });
  });
});
