import { RequestContext } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { entities } from '../../../src/container.ts';
import { MikroOrmProjectRepository } from '../../../src/modules/tasks/adapters/persistence/mikro-orm-project-repository.ts';
import { MikroOrmTaskRepository } from '../../../src/modules/tasks/adapters/persistence/mikro-orm-task-repository.ts';
import type {
  ProjectRepository,
  TaskRepository,
} from '../../../src/modules/tasks/application/ports.ts';
import type { ProjectRole } from '../../../src/modules/tasks/domain/project-role.ts';
import { Project, type ProjectProps } from '../../../src/modules/tasks/domain/project.ts';
import { Task, type TaskProps } from '../../../src/modules/tasks/domain/task.ts';
import type { TransactionRunner } from '../../../src/shared/domain/transaction-runner.ts';
import { MikroOrmTransactionRunner } from '../../../src/shared/infra/mikro-orm-transaction-runner.ts';
import { initOrm, type Orm } from '../../../src/shared/infra/orm.ts';
import { storedUsers } from '../../support/tasks/contract-users.ts';
import { InMemoryProjectRepository } from '../../support/tasks/in-memory-project-repository.ts';
import { InMemoryTaskRepository } from '../../support/tasks/in-memory-task-repository.ts';
import { InMemoryTasksDb } from '../../support/tasks/in-memory-tasks-db.ts';
import { InMemoryTransactions } from '../../support/tasks/in-memory-transactions.ts';

/**
 * The contract of the project repository, run against the in-memory fake the use-case tests rely
 * on and against PostgreSQL, so the fake cannot drift from the SQL.
 */

interface World {
  projects: ProjectRepository;
  tasks: TaskRepository;
  transactions: TransactionRunner;
  /** Three users with their Inbox (whose id is the user's); emails `contract-<id>@example.test`. */
  users(): Promise<[string, string, string]>;
  /** Makes a user a member, as accepting an invitation would. */
  addMember(projectId: string, userId: string, role: ProjectRole, joinedAt: Date): Promise<void>;
  run<T>(work: () => Promise<T>): Promise<T>;
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
    projects,
    tasks: new InMemoryTaskRepository(db),
    transactions: new InMemoryTransactions(db),
    users: () => {
      const ids: [string, string, string] = [randomUUID(), randomUUID(), randomUUID()];
      for (const id of ids) {
        projects.addUser(id, { email: `contract-${id}@example.test`, fullName: 'Contract' });
        projects.addInbox(id, id);
      }
      return Promise.resolve(ids);
    },
    addMember: (projectId, userId, role, joinedAt) => {
      projects.addMember(projectId, userId, role, joinedAt);
      return Promise.resolve();
    },
    run: (work) => work(),
  };
};

const postgres = (): World => ({
  projects: new MikroOrmProjectRepository(orm.em),
  tasks: new MikroOrmTaskRepository(orm.em),
  transactions: new MikroOrmTransactionRunner(orm.em),
  users: () => storedUsers(orm),
  addMember: async (projectId, userId, role, joinedAt) => {
    await orm.em
      .fork()
      .getConnection()
      .execute(
        'insert into project_members (project_id, user_id, role, joined_at) values (?, ?, ?, ?)',
        [projectId, userId, role, joinedAt],
      );
  },
  run: (work) => RequestContext.create(orm.em, work),
});

const T0 = new Date('2030-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const project = (overrides: Partial<ProjectProps> = {}) =>
  Project.restore({
    id: randomUUID(),
    name: `Project ${randomUUID().slice(0, 8)}`,
    description: null,
    color: null,
    inboxUserId: null,
    archivedAt: null,
    deletedAt: null,
    createdAt: T0,
    updatedAt: T0,
    version: 1,
    ...overrides,
  });

const task = (projectId: string, ownerId: string, overrides: Partial<TaskProps> = {}) =>
  Task.restore({
    id: randomUUID(),
    projectId,
    ownerId,
    assigneeId: null,
    title: 'A task',
    description: null,
    status: 'pending',
    priority: 'medium',
    dueDate: null,
    remindAt: null,
    categoryIds: [],
    createdAt: T0,
    updatedAt: T0,
    completedAt: null,
    deletedAt: null,
    version: 1,
    ...overrides,
  });

/** `count` ids sorted as PostgreSQL sorts uuids (byte order, the same as lowercase hex). */
const sortedIds = (count: number) =>
  Array.from({ length: count }, () => randomUUID()).sort((a, b) => (a < b ? -1 : 1));

describe.each([
  ['in-memory', inMemory],
  ['postgres', postgres],
] as const)('project repository contract (%s)', (_name, makeWorld) => {
  let world: World;

  beforeAll(() => {
    world = makeWorld();
  });

  it('stores a project with its owner and reads it back as a member sees it, counts included', () =>
    world.run(async () => {
      const [owner, member, stranger] = await world.users();
      const p = project();
      await world.projects.insert(p, owner);
      await world.addMember(p.id, member, 'editor', at(1));
      await world.tasks.insert(task(p.id, owner));
      await world.tasks.insert(task(p.id, owner, { deletedAt: at(2) }));

      const seen = await world.projects.findForMember(p.id, member);
      expect(seen?.project.toProps()).toEqual(p.toProps());
      expect(seen).toMatchObject({ role: 'editor', memberCount: 2, taskCount: 1 });
      expect(await world.projects.roleOf(p.id, owner)).toBe('owner');
      expect(await world.projects.findForMember(p.id, stranger)).toBeUndefined();
      expect(await world.projects.roleOf(p.id, stranger)).toBeUndefined();
    }));

  it('lists the Inbox first, then newest first with ties by id, and continues after a position', () =>
    world.run(async () => {
      const [user, other] = await world.users();
      const [a, b, c] = sortedIds(3);
      const older = project({ id: c!, createdAt: at(1) });
      const tieLow = project({ id: a!, createdAt: at(2) });
      const tieHigh = project({ id: b!, createdAt: at(2) });
      const archived = project({ createdAt: at(3), archivedAt: at(4) });
      const notMine = project({ createdAt: at(5) });
      for (const p of [older, tieLow, tieHigh, archived]) await world.projects.insert(p, user);
      await world.projects.insert(notMine, other);

      const ids = async (after?: Parameters<ProjectRepository['listForMember']>[0]['after']) =>
        (
          await world.projects.listForMember({
            userId: user,
            archived: false,
            limit: 10,
            ...(after ? { after } : {}),
          })
        ).items.map((v) => v.project.id);
      expect(await ids()).toEqual([user, tieHigh.id, tieLow.id, older.id]);
      expect(await ids({ isInbox: true, createdAt: T0, id: user })).toEqual([
        tieHigh.id,
        tieLow.id,
        older.id,
      ]);
      expect(await ids({ isInbox: false, createdAt: at(2), id: tieHigh.id })).toEqual([
        tieLow.id,
        older.id,
      ]);

      const page = await world.projects.listForMember({ userId: user, archived: false, limit: 2 });
      expect(page.hasMore).toBe(true);
      expect(page.items).toHaveLength(2);
      const archivedOnly = await world.projects.listForMember({
        userId: user,
        archived: true,
        limit: 10,
      });
      expect(archivedOnly.items.map((v) => v.project.id)).toEqual([archived.id]);
      expect(archivedOnly.hasMore).toBe(false);
    }));

  it('locks and updates a live project; a deleted one is gone for every read', () =>
    world.run(async () => {
      const [owner] = await world.users();
      const p = project();
      await world.projects.insert(p, owner);
      await world.transactions.run(async () => {
        const locked = await world.projects.lock(p.id);
        expect(locked?.toProps()).toEqual(p.toProps());
        locked!.rename({ name: 'Renamed', description: 'Now with words' }, at(1));
        await world.projects.update(locked!);
      });
      const renamed = await world.projects.findForMember(p.id, owner);
      expect(renamed?.project.toProps()).toMatchObject({
        name: 'Renamed',
        description: 'Now with words',
        updatedAt: at(1),
        version: 2,
      });

      const doomed = renamed!.project;
      doomed.softDelete(at(2));
      await world.projects.update(doomed);
      expect(await world.transactions.run(() => world.projects.lock(p.id))).toBeUndefined();
      expect(await world.projects.findForMember(p.id, owner)).toBeUndefined();
      expect(await world.projects.roleOf(p.id, owner)).toBeUndefined();
      expect(await world.projects.listMembers(p.id)).toEqual([]);
    }));

  it('lists, finds, re-roles and removes members, oldest first with their names', () =>
    world.run(async () => {
      const [owner, first, second] = await world.users();
      const p = project();
      await world.projects.insert(p, owner);
      await world.addMember(p.id, second, 'viewer', at(2));
      await world.addMember(p.id, first, 'viewer', at(1));

      const members = await world.projects.listMembers(p.id);
      expect(members.map((m) => [m.userId, m.role])).toEqual([
        [owner, 'owner'],
        [first, 'viewer'],
        [second, 'viewer'],
      ]);
      expect(members[1]).toEqual({
        userId: first,
        email: `contract-${first}@example.test`,
        fullName: 'Contract',
        role: 'viewer',
        joinedAt: at(1),
      });

      await world.transactions.run(async () => {
        await world.projects.setRole(p.id, owner, 'admin');
        await world.projects.setRole(p.id, first, 'owner');
      });
      await world.projects.removeMember(p.id, second);
      expect((await world.projects.findMember(p.id, first))?.role).toBe('owner');
      expect((await world.projects.findMember(p.id, owner))?.role).toBe('admin');
      expect(await world.projects.findMember(p.id, second)).toBeUndefined();
      await expect(
        world.transactions.run(() => world.projects.setRole(p.id, owner, 'owner')),
      ).rejects.toThrow();
      expect((await world.projects.findMember(p.id, owner))?.role).toBe('admin');
    }));

  it('soft-deletes the live tasks of one project and reports them as they are now', () =>
    world.run(async () => {
      const [owner] = await world.users();
      const p = project();
      const elsewhere = project();
      await world.projects.insert(p, owner);
      await world.projects.insert(elsewhere, owner);
      const live = task(p.id, owner, { dueDate: at(600) });
      const gone = task(p.id, owner, { deletedAt: at(1) });
      const other = task(elsewhere.id, owner);
      for (const t of [live, gone, other]) await world.tasks.insert(t);

      const changed = await world.projects.deleteTasks(p.id, at(5));
      const expected: Partial<TaskProps> = live.toProps();
      delete expected.categoryIds;
      expect(changed).toEqual([{ ...expected, deletedAt: at(5), updatedAt: at(5), version: 2 }]);
      expect(await world.tasks.findVisible(other.id, owner)).toBeDefined();
      expect((await world.projects.findForMember(p.id, owner))?.taskCount).toBe(0);
    }));

  it('unassigns a user from their open tasks of one project only', () =>
    world.run(async () => {
      const [owner, assignee] = await world.users();
      const p = project();
      const elsewhere = project();
      await world.projects.insert(p, owner);
      await world.projects.insert(elsewhere, owner);
      const open = task(p.id, owner, { assigneeId: assignee, status: 'in_progress' });
      const done = task(p.id, owner, {
        assigneeId: assignee,
        status: 'completed',
        completedAt: T0,
      });
      const deleted = task(p.id, owner, { assigneeId: assignee, deletedAt: T0 });
      const other = task(elsewhere.id, owner, { assigneeId: assignee });
      for (const t of [open, done, deleted, other]) await world.tasks.insert(t);

      const changed = await world.projects.unassignOpenTasks(p.id, assignee, at(5));
      expect(changed.map((t) => [t.id, t.assigneeId, t.version, t.updatedAt])).toEqual([
        [open.id, null, 2, at(5)],
      ]);
      expect((await world.tasks.findVisible(done.id, owner))?.task.assigneeId).toBe(assignee);
      expect((await world.tasks.findVisible(other.id, owner))?.task.assigneeId).toBe(assignee);
    }));

  it('lists every live project with its owner for a site admin, by name or owner email', () =>
    world.run(async () => {
      const [owner, member] = await world.users();
      const marker = randomUUID().slice(0, 12);
      const p = project({ name: `Admin view ${marker}`, createdAt: at(1) });
      const deleted = project({ name: `Admin view ${marker} gone`, deletedAt: at(2) });
      await world.projects.insert(p, owner);
      await world.projects.insert(deleted, owner);
      await world.addMember(p.id, member, 'viewer', at(1));
      await world.tasks.insert(task(p.id, member));

      const byName = await world.projects.listAll({ q: marker, offset: 0, limit: 10 });
      expect(byName.total).toBe(1);
      expect(byName.items[0]).toMatchObject({
        owner: { userId: owner, email: `contract-${owner}@example.test`, fullName: 'Contract' },
        memberCount: 2,
        taskCount: 1,
      });
      expect(byName.items[0]?.project.id).toBe(p.id);

      const byOwner = await world.projects.listAll({ q: owner, offset: 0, limit: 1 });
      expect(byOwner.total).toBe(2);
      expect(byOwner.items.map((v) => v.project.id)).toEqual([p.id]);
      const literal = await world.projects.listAll({ q: `${marker}%`, offset: 0, limit: 10 });
      expect(literal.total).toBe(0);
    }));
});
