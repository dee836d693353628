import { RequestContext } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { entities } from '../../../src/container.ts';
import { MikroOrmInvitationRepository } from '../../../src/modules/tasks/adapters/persistence/mikro-orm-invitation-repository.ts';
import { MikroOrmProjectRepository } from '../../../src/modules/tasks/adapters/persistence/mikro-orm-project-repository.ts';
import { MikroOrmTaskRepository } from '../../../src/modules/tasks/adapters/persistence/mikro-orm-task-repository.ts';
import type {
  InvitationRepository,
  ProjectRepository,
  TaskRepository,
} from '../../../src/modules/tasks/application/ports.ts';
import { Invitation, type InvitationProps } from '../../../src/modules/tasks/domain/invitation.ts';
import { Project } from '../../../src/modules/tasks/domain/project.ts';
import { Task } from '../../../src/modules/tasks/domain/task.ts';
import type { TransactionRunner } from '../../../src/shared/domain/transaction-runner.ts';
import { MikroOrmTransactionRunner } from '../../../src/shared/infra/mikro-orm-transaction-runner.ts';
import { initOrm, type Orm } from '../../../src/shared/infra/orm.ts';
import { storedUsers } from '../../support/tasks/contract-users.ts';
import { InMemoryInvitationRepository } from '../../support/tasks/in-memory-invitation-repository.ts';
import { InMemoryProjectRepository } from '../../support/tasks/in-memory-project-repository.ts';
import { InMemoryTaskRepository } from '../../support/tasks/in-memory-task-repository.ts';
import { InMemoryTasksDb } from '../../support/tasks/in-memory-tasks-db.ts';
import { InMemoryTransactions } from '../../support/tasks/in-memory-transactions.ts';

/**
 * The contract of the invitation repository, run against the in-memory fake the use-case tests
 * rely on and against PostgreSQL, so the fake cannot drift from the SQL.
 */

interface World {
  invitations: InvitationRepository;
  projects: ProjectRepository;
  tasks: TaskRepository;
  transactions: TransactionRunner;
  /** Archives or deletes a project behind the repositories' backs. */
  mark(projectId: string, change: { archivedAt?: Date; deletedAt?: Date }): Promise<void>;
  users(): Promise<[string, string, string]>;
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
    invitations: new InMemoryInvitationRepository(db),
    projects,
    tasks: new InMemoryTaskRepository(db),
    transactions: new InMemoryTransactions(db),
    mark: (projectId, change) => {
      Object.assign(db.tables.projects.get(projectId)!, change);
      return Promise.resolve();
    },
    users: () => {
      const ids: [string, string, string] = [randomUUID(), randomUUID(), randomUUID()];
      for (const id of ids) projects.addInbox(id, id);
      return Promise.resolve(ids);
    },
    run: (work) => work(),
  };
};

const postgres = (): World => {
  const em = orm.em;
  return {
    invitations: new MikroOrmInvitationRepository(em),
    projects: new MikroOrmProjectRepository(em),
    tasks: new MikroOrmTaskRepository(em),
    transactions: new MikroOrmTransactionRunner(em),
    mark: async (projectId, change) => {
      await orm.em
        .getConnection()
        .execute(
          'update projects set archived_at = coalesce(?, archived_at), deleted_at = coalesce(?, deleted_at) where id = ?',
          [change.archivedAt ?? null, change.deletedAt ?? null, projectId],
        );
    },
    users: () => storedUsers(orm),
    run: (work) => RequestContext.create(orm.em, work),
  };
};

const T0 = new Date('2030-03-01T10:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;
const at = (ms: number) => new Date(T0.getTime() + ms);

describe.each([
  ['in-memory', inMemory],
  ['postgres', postgres],
] as const)('invitation repository contract (%s)', (_name, makeWorld) => {
  let world: World;
  let owner: string;
  let member: string;
  let other: string;

  beforeAll(async () => {
    world = makeWorld();
    [owner, member, other] = await world.users();
  });

  const project = async (name = 'Team') => {
    const created = Project.create({ id: randomUUID(), name }, T0)._unsafeUnwrap();
    await world.projects.insert(created, owner);
    return created.id;
  };

  const invitation = (
    projectId: string,
    email = `${randomUUID()}@example.test`,
    createdAt = T0,
    overrides: Partial<InvitationProps> = {},
  ) =>
    Invitation.restore({
      ...Invitation.create(
        { id: randomUUID(), projectId, email, role: 'editor', invitedBy: owner },
        createdAt,
      )
        ._unsafeUnwrap()
        .toProps(),
      ...overrides,
    });

  const stored = async (...args: Parameters<typeof invitation>) => {
    const made = invitation(...args);
    expect(await world.invitations.insert(made)).toBe(true);
    return made;
  };

  const ids = (views: Array<{ invitation: Invitation }>) => views.map((v) => v.invitation.id);

  it('finds a live project as invitations judge it', () =>
    world.run(async () => {
      const id = await project('Garden');
      expect(await world.invitations.findProject(id)).toEqual({
        id,
        name: 'Garden',
        isInbox: false,
        archived: false,
      });
      expect(await world.invitations.findProject(owner)).toMatchObject({ isInbox: true });
      const locked = () => world.transactions.run(() => world.invitations.lockProject(id));
      expect(await locked()).toEqual(await world.invitations.findProject(id));
      await world.mark(id, { archivedAt: T0 });
      expect(await world.invitations.findProject(id)).toMatchObject({ archived: true });
      expect(await locked()).toMatchObject({ archived: true });
      await world.mark(id, { deletedAt: T0 });
      expect(await world.invitations.findProject(id)).toBeUndefined();
      expect(await locked()).toBeUndefined();
      expect(await world.invitations.findProject(randomUUID())).toBeUndefined();
    }));

  it('stores an invitation and reads it back with its project name, in its project only', () =>
    world.run(async () => {
      const id = await project('Roof');
      const made = await stored(id, 'ada@example.test');
      const view = await world.invitations.findInProject(id, made.id);
      expect(view?.projectName).toBe('Roof');
      expect(view?.invitation.toProps()).toEqual(made.toProps());
      expect(await world.invitations.findInProject(await project(), made.id)).toBeUndefined();
      const locked = await world.transactions.run(() => world.invitations.lock(made.id));
      expect(locked?.invitation.toProps()).toEqual(made.toProps());
      expect(
        await world.transactions.run(() => world.invitations.lock(randomUUID())),
      ).toBeUndefined();
    }));

  it('keeps one pending invitation per project and address', () =>
    world.run(async () => {
      const id = await project();
      const first = await stored(id, 'bob@example.test');
      expect(await world.invitations.insert(invitation(id, 'bob@example.test'))).toBe(false);
      expect(await world.invitations.insert(invitation(await project(), 'bob@example.test'))).toBe(
        true,
      );
      first.revoke(at(1000))._unsafeUnwrap();
      await world.invitations.update(first);
      expect(await world.invitations.insert(invitation(id, 'bob@example.test'))).toBe(true);
      expect((await world.invitations.findInProject(id, first.id))?.invitation.toProps()).toEqual(
        first.toProps(),
      );
    }));

  it('expires only the pending invitations of that project and address past their expiry', () =>
    world.run(async () => {
      const id = await project();
      const old = await stored(id, 'carol@example.test', T0);
      const elsewhere = await stored(await project(), 'carol@example.test', T0);
      const otherAddress = await stored(id, 'dan@example.test', T0);
      await world.invitations.expireStale(id, 'carol@example.test', at(7 * DAY - 1));
      expect((await world.invitations.findInProject(id, old.id))?.invitation.storedStatus).toBe(
        'pending',
      );
      await world.invitations.expireStale(id, 'carol@example.test', at(7 * DAY));
      const status = async (projectId: string, invitationId: string) =>
        (await world.invitations.findInProject(projectId, invitationId))?.invitation.storedStatus;
      expect(await status(id, old.id)).toBe('expired');
      expect(await status(elsewhere.projectId, elsewhere.id)).toBe('pending');
      expect(await status(id, otherAddress.id)).toBe('pending');
    }));

  it('lists a project’s invitations by status as shown, newest first', () =>
    world.run(async () => {
      const id = await project();
      const expired = await stored(id, undefined, T0);
      const accepted = await stored(id, undefined, at(1000));
      accepted.accept(at(2000))._unsafeUnwrap();
      await world.invitations.update(accepted);
      const fresh = await stored(id, undefined, at(5 * DAY));
      const now = at(7 * DAY);
      const list = async (filter: Parameters<InvitationRepository['listForProject']>[1]) =>
        ids(await world.invitations.listForProject(id, filter, now));
      expect(await list('all')).toEqual([fresh.id, accepted.id, expired.id]);
      expect(await list('pending')).toEqual([fresh.id]);
      expect(await list('expired')).toEqual([expired.id]);
      expect(await list('accepted')).toEqual([accepted.id]);
      expect(await list('revoked')).toEqual([]);
    }));

  it('lists the pending invitations to an address in live projects, newest first', () =>
    world.run(async () => {
      const email = `${randomUUID()}@example.test`;
      const older = await stored(await project(), email, at(1000));
      const newer = await stored(await project(), email, at(2000));
      const expired = await stored(await project(), email, at(-8 * DAY));
      const gone = await stored(await project(), email, at(3000));
      await world.mark(gone.projectId, { deletedAt: at(4000) });
      const declined = await stored(await project(), email, at(3000));
      declined.decline(at(4000))._unsafeUnwrap();
      await world.invitations.update(declined);
      await stored(await project(), 'someone-else@example.test', at(1000));

      expect(ids(await world.invitations.listPendingFor(email, at(5000)))).toEqual([
        newer.id,
        older.id,
      ]);
      expect(expired.statusAt(at(5000))).toBe('expired');
      expect(await world.invitations.findInProject(gone.projectId, gone.id)).toBeUndefined();
    }));

  it('adds a member once, whom the project then shows as its member', () =>
    world.run(async () => {
      const id = await project('Kitchen');
      expect(await world.projects.findForMember(id, member)).toBeUndefined();
      expect(await world.invitations.addMember(id, member, 'viewer', at(1000))).toBe(true);
      expect(await world.invitations.addMember(id, member, 'admin', at(2000))).toBe(false);
      expect(await world.projects.roleOf(id, member)).toBe('viewer');
      const task = (deletedAt: Date | null) =>
        Task.restore({
          id: randomUUID(),
          projectId: id,
          ownerId: owner,
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
          deletedAt,
          version: 1,
        });
      await world.tasks.insert(task(null));
      await world.tasks.insert(task(T0));

      const joined = await world.projects.findForMember(id, member);
      expect(joined).toMatchObject({ role: 'viewer', memberCount: 2, taskCount: 1 });
      expect(joined?.project.toProps()).toMatchObject({
        id,
        name: 'Kitchen',
        inboxUserId: null,
        archivedAt: null,
        createdAt: T0,
        version: 1,
      });
      expect(await world.projects.findForMember(id, other)).toBeUndefined();
      await world.mark(id, { deletedAt: T0 });
      expect(await world.projects.findForMember(id, member)).toBeUndefined();
    }));
});
