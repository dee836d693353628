import { RequestContext } from '@mikro-orm/core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { entities } from '../../../src/container.ts';
import { MikroOrmUserRepository } from '../../../src/modules/identity/adapters/persistence/mikro-orm-user-repository.ts';
import { IdentityAccountDirectory } from '../../../src/modules/tasks/adapters/identity/identity-account-directory.ts';
import { IdentityUserDirectory } from '../../../src/modules/tasks/adapters/identity/identity-user-directory.ts';
import { MailerProjectMails } from '../../../src/modules/tasks/adapters/mail/mailer-project-mails.ts';
import { MikroOrmAttachmentRepository } from '../../../src/modules/tasks/adapters/persistence/mikro-orm-attachment-repository.ts';
import { MikroOrmCategoryRepository } from '../../../src/modules/tasks/adapters/persistence/mikro-orm-category-repository.ts';
import { MikroOrmCommentRepository } from '../../../src/modules/tasks/adapters/persistence/mikro-orm-comment-repository.ts';
import { MikroOrmInvitationRepository } from '../../../src/modules/tasks/adapters/persistence/mikro-orm-invitation-repository.ts';
import { MikroOrmOutbox } from '../../../src/modules/tasks/adapters/persistence/mikro-orm-outbox.ts';
import { MikroOrmProjectRepository } from '../../../src/modules/tasks/adapters/persistence/mikro-orm-project-repository.ts';
import { MikroOrmTaskRepository } from '../../../src/modules/tasks/adapters/persistence/mikro-orm-task-repository.ts';
import { LocalDiskFileStorage } from '../../../src/modules/tasks/adapters/storage/local-disk-file-storage.ts';
import type { TasksPorts } from '../../../src/modules/tasks/application/ports.ts';
import { createTasksModule } from '../../../src/modules/tasks/tasks.module.ts';
import { systemClock } from '../../../src/shared/domain/clock.ts';
import { MikroOrmTransactionRunner } from '../../../src/shared/infra/mikro-orm-transaction-runner.ts';
import { initOrm, type Orm } from '../../../src/shared/infra/orm.ts';
import { UuidV7Ids } from '../../../src/shared/infra/uuid-v7-ids.ts';
import { register } from '../../support/identity/http-client.ts';
import {
  createTasksTestApp,
  expectProblem,
  expectStatus,
  inHours,
  TasksClient,
  verifiedUser,
  type TasksTestApp,
} from '../../support/tasks/http-tasks.ts';

/**
 * The outbox of task events (`outbox_events`): each change that must notify someone or move a
 * reminder writes its rows in the same transaction as the change, so a row exists exactly when
 * the change committed. Rows: type, task_id, actor_id, recipients (never the actor, except for
 * reminders, which are no one's action), payload.
 */

let t: TasksTestApp;
/** A second pool: sees only what has been committed. */
let observer: Orm;
let storageDir: string;
let owner: TasksClient;
let assignee: TasksClient;
let other: TasksClient;
let unverified: TasksClient;

const LEAD_MINUTES = 60;

beforeAll(async () => {
  t = await createTasksTestApp({ REMINDER_LEAD_MINUTES: String(LEAD_MINUTES) });
  observer = await initOrm({ databaseUrl: inject('databaseUrl'), entities, poolMax: 2 });
  storageDir = await mkdtemp(join(tmpdir(), 'outbox-files-'));
  const [o, a, b, u] = await Promise.all([
    verifiedUser(t),
    verifiedUser(t),
    verifiedUser(t),
    register(t),
  ]);
  owner = new TasksClient(t, o);
  assignee = new TasksClient(t, a);
  other = new TasksClient(t, b);
  unverified = new TasksClient(t, u);
});
afterAll(async () => {
  await observer.close();
  await t.close();
  await rm(storageDir, { recursive: true, force: true });
});

interface OutboxRow {
  type: string;
  task_id: string;
  actor_id: string;
  recipients: string[];
  payload: Record<string, unknown>;
  occurred_at: Date;
}

/**
 * What a change writes, without the relay's bookkeeping (`processed_at`, `attempts`): other test
 * files run workers on the same database, and with LISTEN/NOTIFY their relays may process a row
 * the moment it commits.
 */
const OUTBOX_SQL = `select type, task_id, actor_id, array_to_json(recipients) as recipients, payload,
    occurred_at
  from outbox_events where task_id = ? order by occurred_at, id`;

/** The committed outbox rows of a task, oldest first. */
async function outbox(taskId: string): Promise<OutboxRow[]> {
  return t.container.orm.em.fork().getConnection().execute<OutboxRow[]>(OUTBOX_SQL, [taskId]);
}

/** Runs `act`, then answers the rows it added for `taskId`. */
async function rowsAdded(taskId: string, act: () => Promise<unknown>): Promise<OutboxRow[]> {
  const before = (await outbox(taskId)).length;
  await act();
  return (await outbox(taskId)).slice(before);
}

const minus = (iso: string, minutes: number) =>
  new Date(Date.parse(iso) - minutes * 60_000).toISOString();
const sorted = (ids: string[]) => [...ids].sort();

/** Whatever the recipients, the actor of a notification is never one of them. */
function expectNoSelfNotification(rows: OutboxRow[]) {
  for (const row of rows.filter((r) => r.type !== 'task.reminder_changed')) {
    expect(row.recipients, row.type).not.toContain(row.actor_id);
  }
}

describe('changes that commit write their outbox rows', () => {
  it('a plain create writes nothing', async () => {
    const task = await owner.createTask();
    expect(await outbox(task.id)).toEqual([]);
  });

  it('create with an assignee: task.assigned to the assignee', async () => {
    const task = await owner.createTask({ title: 'Born assigned', assignee_id: assignee.id });
    const rows = await outbox(task.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      type: 'task.assigned',
      task_id: task.id,
      actor_id: owner.id,
      recipients: [assignee.id],
      payload: { title: 'Born assigned', assigneeId: assignee.id, previousAssigneeId: null },
    });
    expect(new Date(rows[0]?.occurred_at as Date).toISOString()).toBe(task.created_at);
  });

  it('create with a due date: task.reminder_changed for owner and assignee, lead time applied', async () => {
    const due = inHours(48);
    const task = await owner.createTask({ due_date: due, assignee_id: assignee.id });
    const rows = await outbox(task.id);
    expect(rows.map((r) => r.type).sort()).toEqual(['task.assigned', 'task.reminder_changed']);
    const reminder = rows.find((r) => r.type === 'task.reminder_changed');
    expect(reminder).toMatchObject({
      actor_id: owner.id,
      payload: { reminderAt: minus(due, LEAD_MINUTES), dueDate: due },
    });
    expect(sorted(reminder?.recipients ?? [])).toEqual(sorted([owner.id, assignee.id]));

    const remind = inHours(10);
    const explicit = await owner.createTask({ due_date: due, remind_at: remind });
    expect(await outbox(explicit.id)).toMatchObject([
      {
        type: 'task.reminder_changed',
        recipients: [owner.id],
        payload: { reminderAt: remind, dueDate: due },
      },
    ]);
  });

  it('assignment (PUT): task.assigned to the new assignee, with the previous one in the payload', async () => {
    const task = await owner.createTask({ title: 'Handed over' });
    const first = await rowsAdded(task.id, async () =>
      expectStatus(
        await owner.put(`/tasks/${task.id}/assignee`, { assignee_id: assignee.id }),
        200,
      ),
    );
    expect(first).toMatchObject([
      {
        type: 'task.assigned',
        actor_id: owner.id,
        recipients: [assignee.id],
        payload: { title: 'Handed over', assigneeId: assignee.id, previousAssigneeId: null },
      },
    ]);
    const second = await rowsAdded(task.id, async () =>
      expectStatus(await owner.put(`/tasks/${task.id}/assignee`, { assignee_id: other.id }), 200),
    );
    expect(second).toMatchObject([
      {
        type: 'task.assigned',
        recipients: [other.id],
        payload: { assigneeId: other.id, previousAssigneeId: assignee.id },
      },
    ]);
    // The same assignee again is no change, and no news.
    expect(
      await rowsAdded(task.id, async () =>
        expectStatus(await owner.put(`/tasks/${task.id}/assignee`, { assignee_id: other.id }), 200),
      ),
    ).toEqual([]);
  });

  it('assigning oneself notifies no one', async () => {
    const task = await owner.createTask();
    const rows = await rowsAdded(task.id, async () =>
      expectStatus(await owner.put(`/tasks/${task.id}/assignee`, { assignee_id: owner.id }), 200),
    );
    expect(rows.flatMap((r) => r.recipients)).toEqual([]);
  });

  it('status change by the assignee: task.status_changed to the owner only', async () => {
    const task = await owner.createTask({ title: 'Moving along', assignee_id: assignee.id });
    const rows = await rowsAdded(task.id, async () =>
      expectStatus(
        await assignee.patch(`/tasks/${task.id}`, { status: 'in_progress', version: 1 }),
        200,
      ),
    );
    expect(rows).toMatchObject([
      {
        type: 'task.status_changed',
        actor_id: assignee.id,
        recipients: [owner.id],
        payload: { title: 'Moving along', from: 'pending', to: 'in_progress' },
      },
    ]);
  });

  it('status change by the owner: task.status_changed to the assignee only', async () => {
    const task = await owner.createTask({ assignee_id: assignee.id });
    const rows = await rowsAdded(task.id, async () =>
      expectStatus(
        await owner.patch(`/tasks/${task.id}`, { status: 'in_progress', version: 1 }),
        200,
      ),
    );
    expect(rows).toMatchObject([
      { type: 'task.status_changed', actor_id: owner.id, recipients: [assignee.id] },
    ]);
  });

  it('comment: task.commented to owner and assignee except the author', async () => {
    const task = await owner.createTask({ title: 'Discussed', assignee_id: assignee.id });
    let commentId = '';
    const byAssignee = await rowsAdded(task.id, async () => {
      commentId = (await assignee.comment(task.id, 'From the assignee')).id;
    });
    expect(byAssignee).toMatchObject([
      {
        type: 'task.commented',
        actor_id: assignee.id,
        recipients: [owner.id],
        payload: { title: 'Discussed', commentId },
      },
    ]);
    const byOwner = await rowsAdded(task.id, () => owner.comment(task.id, 'From the owner'));
    expect(byOwner).toMatchObject([
      { type: 'task.commented', actor_id: owner.id, recipients: [assignee.id] },
    ]);
    // Editing or deleting a comment is no news.
    expect(
      await rowsAdded(task.id, async () => {
        await expectStatus(
          await assignee.patch(`/tasks/${task.id}/comments/${commentId}`, { body: 'Edited' }),
          200,
        );
        expect((await assignee.del(`/tasks/${task.id}/comments/${commentId}`)).status).toBe(204);
      }),
    ).toEqual([]);
  });

  it('due-date change: task.reminder_changed with the new reminder time', async () => {
    const task = await owner.createTask({ due_date: inHours(48), assignee_id: assignee.id });
    const due = inHours(72);
    const rows = await rowsAdded(task.id, async () =>
      expectStatus(await owner.patch(`/tasks/${task.id}`, { due_date: due, version: 1 }), 200),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      type: 'task.reminder_changed',
      actor_id: owner.id,
      payload: { reminderAt: minus(due, LEAD_MINUTES), dueDate: due },
    });
    expect(sorted(rows[0]?.recipients ?? [])).toEqual(sorted([owner.id, assignee.id]));
    // A title change moves no reminder.
    expect(
      await rowsAdded(task.id, async () =>
        expectStatus(await owner.patch(`/tasks/${task.id}`, { title: 'Renamed', version: 2 }), 200),
      ),
    ).toEqual([]);
  });

  it('completion: task.status_changed, and the reminder is called off', async () => {
    const task = await owner.createTask({ due_date: inHours(48), assignee_id: assignee.id });
    const rows = await rowsAdded(task.id, async () =>
      expectStatus(
        await assignee.patch(`/tasks/${task.id}`, { status: 'completed', version: 1 }),
        200,
      ),
    );
    expect(rows.map((r) => r.type).sort()).toEqual([
      'task.reminder_changed',
      'task.status_changed',
    ]);
    expect(rows.find((r) => r.type === 'task.status_changed')).toMatchObject({
      actor_id: assignee.id,
      recipients: [owner.id],
      payload: { from: 'pending', to: 'completed' },
    });
    expect(rows.find((r) => r.type === 'task.reminder_changed')?.payload).toMatchObject({
      reminderAt: null,
    });
  });

  it('deletion: the reminder is called off; a task without one writes nothing', async () => {
    const task = await owner.createTask({ due_date: inHours(48) });
    const rows = await rowsAdded(task.id, async () =>
      expect((await owner.del(`/tasks/${task.id}`)).status).toBe(204),
    );
    expect(rows).toMatchObject([
      {
        type: 'task.reminder_changed',
        actor_id: owner.id,
        recipients: [owner.id],
        payload: { reminderAt: null },
      },
    ]);
    const plain = await owner.createTask();
    expect(await rowsAdded(plain.id, async () => owner.del(`/tasks/${plain.id}`))).toEqual([]);
  });

  it('never lists the actor among the recipients of a notification', async () => {
    const task = await owner.createTask({ assignee_id: assignee.id, due_date: inHours(30) });
    await assignee.comment(task.id);
    await owner.comment(task.id);
    await expectStatus(
      await assignee.patch(`/tasks/${task.id}`, { status: 'in_progress', version: 1 }),
      200,
    );
    await expectStatus(
      await owner.patch(`/tasks/${task.id}`, { status: 'completed', version: 2 }),
      200,
    );
    const rows = await outbox(task.id);
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expectNoSelfNotification(rows);
  });
});

describe('changes that fail write nothing', () => {
  it('a version conflict, a validation failure, a forbidden change, a refused assignee', async () => {
    const task = await owner.createTask({ assignee_id: assignee.id, due_date: inHours(48) });
    await expectStatus(
      await owner.patch(`/tasks/${task.id}`, { priority: 'high', version: 1 }),
      200,
    );
    const rows = await rowsAdded(task.id, async () => {
      await expectProblem(
        await assignee.patch(`/tasks/${task.id}`, { status: 'completed', version: 1 }),
        409,
      );
      await expectProblem(
        await owner.patch(`/tasks/${task.id}`, { due_date: inHours(-1), version: 2 }),
        400,
      );
      await expectProblem(
        await owner.patch(`/tasks/${task.id}`, {
          due_date: inHours(90),
          remind_at: inHours(91),
          version: 2,
        }),
        400,
      );
      await expectProblem(
        await assignee.patch(`/tasks/${task.id}`, {
          status: 'completed',
          title: 'Mine now',
          version: 2,
        }),
        403,
      );
      await expectProblem(await assignee.del(`/tasks/${task.id}`), 403);
      await expectProblem(
        await assignee.put(`/tasks/${task.id}/assignee`, { assignee_id: other.id }),
        403,
      );
      await expectProblem(
        await owner.put(`/tasks/${task.id}/assignee`, { assignee_id: unverified.id }),
        404,
      );
      await expectProblem(
        await other.patch(`/tasks/${task.id}`, { status: 'completed', version: 2 }),
        404,
      );
      await expectProblem(await other.post(`/tasks/${task.id}/comments`, { body: 'Sneaky' }), 404);
      await expectProblem(await owner.post(`/tasks/${task.id}/comments`, { body: '   ' }), 400);
      // Sending back what was read changes nothing, and tells no one.
      await expectStatus(
        await owner.patch(`/tasks/${task.id}`, { status: 'pending', version: 2 }),
        200,
      );
    });
    expect(rows).toEqual([]);
  });

  it('a refused create writes no row for any task', async () => {
    const creator = new TasksClient(t, await register(t));
    const count = async () =>
      (
        await t.container.orm.em
          .fork()
          .getConnection()
          .execute<Array<{ n: number }>>(
            'select count(*)::int as n from outbox_events where actor_id = ?',
            [creator.id],
          )
      )[0]?.n;
    await expectProblem(
      await creator.post('/tasks', {
        title: 'Nope',
        assignee_id: unverified.id,
        due_date: inHours(5),
      }),
      404,
    );
    await expectProblem(
      await creator.post('/tasks', { title: 'Nope', due_date: inHours(-5) }),
      400,
    );
    await expectProblem(
      await creator.post('/tasks', {
        title: 'Nope',
        due_date: inHours(5),
        category_ids: [creator.id],
      }),
      404,
    );
    expect(await count()).toBe(0);
    // The same create, allowed, does write.
    await creator.createTask({ title: 'Yes', due_date: inHours(5) });
    expect(await count()).toBe(1);
  });
});

describe('rows exist exactly when the transaction commits', () => {
  const em = () => t.container.orm.em;
  const ids = new UuidV7Ids();

  /** The container's wiring, with some ports replaced. */
  function useCases(replace: (ports: TasksPorts) => Partial<TasksPorts>) {
    const users = new MikroOrmUserRepository(em());
    const ports: TasksPorts = {
      projects: new MikroOrmProjectRepository(em()),
      invitations: new MikroOrmInvitationRepository(em()),
      accounts: new IdentityAccountDirectory(users),
      projectMails: new MailerProjectMails(t.container.mailer, t.container.config.appBaseUrl),
      rateLimiter: t.container.rateLimiter,
      tasks: new MikroOrmTaskRepository(em()),
      categories: new MikroOrmCategoryRepository(em()),
      comments: new MikroOrmCommentRepository(em()),
      attachments: new MikroOrmAttachmentRepository(em()),
      outbox: new MikroOrmOutbox(em(), ids),
      users: new IdentityUserDirectory(users),
      files: new LocalDiskFileStorage(storageDir),
      reminders: { leadMinutes: LEAD_MINUTES },
      storageQuota: { bytesPerUser: 1024 ** 3 },
      ids,
      clock: systemClock,
      transactions: new MikroOrmTransactionRunner(em()),
      failures: { report: () => undefined },
    };
    return createTasksModule({ ...ports, ...replace(ports) }).useCases;
  }

  const inRequest = <T>(work: () => PromiseLike<T>) =>
    RequestContext.create(em(), async () => await work());

  /** Committed rows, read through another pool. */
  const committed = async (taskId: string) =>
    observer.em.fork().getConnection().execute<OutboxRow[]>(OUTBOX_SQL, [taskId]);

  class Boom extends Error {}

  /** An outbox that appends, then fails: everything the transaction wrote must roll back. */
  const failingAfterAppend = (ports: TasksPorts): Partial<TasksPorts> => ({
    outbox: {
      append: async (events) => {
        await ports.outbox.append(events);
        throw new Boom('the transaction fails after the outbox append');
      },
    },
  });

  it('a row appended inside the transaction is invisible to others until the commit', async () => {
    const task = await owner.createTask({ title: 'Watched', assignee_id: assignee.id });
    const seenInside: number[] = [];
    const cases = useCases((ports) => ({
      outbox: {
        append: async (events) => {
          await ports.outbox.append(events);
          seenInside.push((await committed(task.id)).length);
        },
      },
    }));
    const before = (await committed(task.id)).length;
    const result = await inRequest(() =>
      cases.updateTask.execute({
        actor: { userId: assignee.id },
        taskId: task.id,
        version: 1,
        status: 'in_progress',
      }),
    );
    expect(result.isOk()).toBe(true);
    expect(seenInside).toEqual([before]);
    expect((await committed(task.id)).length).toBe(before + 1);
  });

  it('an update rolled back after the append leaves no row and the task unchanged', async () => {
    const task = await owner.createTask({ assignee_id: assignee.id, due_date: inHours(48) });
    const before = await outbox(task.id);
    const cases = useCases(failingAfterAppend);
    await expect(
      inRequest(() =>
        cases.updateTask.execute({
          actor: { userId: assignee.id },
          taskId: task.id,
          version: 1,
          status: 'completed',
        }),
      ),
    ).rejects.toBeInstanceOf(Boom);
    expect(await outbox(task.id)).toEqual(before);
    expect(await owner.task(task.id)).toEqual(task);
  });

  it('an assignment, a deletion and a due-date change rolled back leave no row', async () => {
    const task = await owner.createTask({ due_date: inHours(48) });
    const before = await outbox(task.id);
    const cases = useCases(failingAfterAppend);
    const actor = { userId: owner.id };
    await expect(
      inRequest(() =>
        cases.assignTask.execute({ actor, taskId: task.id, assigneeId: assignee.id }),
      ),
    ).rejects.toBeInstanceOf(Boom);
    await expect(
      inRequest(() => cases.deleteTask.execute({ actor, taskId: task.id })),
    ).rejects.toBeInstanceOf(Boom);
    await expect(
      inRequest(() =>
        cases.updateTask.execute({
          actor,
          taskId: task.id,
          version: 1,
          dueDate: new Date(Date.now() + 96 * 3_600_000),
        }),
      ),
    ).rejects.toBeInstanceOf(Boom);
    expect(await outbox(task.id)).toEqual(before);
    expect(await owner.task(task.id)).toEqual(task);
  });

  it('a comment rolled back after the append leaves neither the comment nor the row', async () => {
    const task = await owner.createTask({ assignee_id: assignee.id });
    const before = await outbox(task.id);
    const cases = useCases(failingAfterAppend);
    await expect(
      inRequest(() =>
        cases.addComment.execute({ actor: { userId: assignee.id }, taskId: task.id, body: 'Lost' }),
      ),
    ).rejects.toBeInstanceOf(Boom);
    expect(await outbox(task.id)).toEqual(before);
    expect(await owner.comments(task.id)).toEqual([]);
    expect((await owner.task(task.id)).comment_count).toBe(0);
  });

  it('a create rolled back after the append leaves neither the task nor the row', async () => {
    const title = `Never born ${ids.next()}`;
    const cases = useCases(failingAfterAppend);
    await expect(
      inRequest(() =>
        cases.createTask.execute({ actor: { userId: owner.id }, title, assigneeId: assignee.id }),
      ),
    ).rejects.toBeInstanceOf(Boom);
    const rows = await t.container.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ id: string }>>(
        `select o.id from outbox_events o where o.payload->>'title' = ?
         union all select t.id from tasks t where t.title = ?`,
        [title, title],
      );
    expect(rows).toEqual([]);
    expect((await owner.list(`?q=${encodeURIComponent(title)}`)).total).toBe(0);
  });

  it('a task write that fails leaves no row', async () => {
    const task = await owner.createTask({ assignee_id: assignee.id });
    const before = await outbox(task.id);
    const cases = useCases((ports) => ({
      tasks: {
        findVisible: (id, user) => ports.tasks.findVisible(id, user),
        whoCanSee: (id, users) => ports.tasks.whoCanSee(id, users),
        lockParties: (id) => ports.tasks.lockParties(id),
        insert: (x) => ports.tasks.insert(x),
        list: (q) => ports.tasks.list(q),
        update: async () => {
          throw new Boom('the task write fails');
        },
      },
    }));
    await expect(
      inRequest(() =>
        cases.updateTask.execute({
          actor: { userId: assignee.id },
          taskId: task.id,
          version: 1,
          status: 'completed',
        }),
      ),
    ).rejects.toBeInstanceOf(Boom);
    expect(await outbox(task.id)).toEqual(before);
    expect(await owner.task(task.id)).toEqual(task);
  });

  it('an assignment whose task write breaks a foreign key (assignee deleted meanwhile) leaves no row', async () => {
    // A user deleted between the read and the write: the write breaks a foreign key.
    const doomed = await verifiedUser(t);
    const task = await owner.createTask();
    const before = await outbox(task.id);
    const cases = useCases((ports) => ({
      users: {
        findAssignable: async (id) => {
          const found = await ports.users.findAssignable(id);
          await observer.em.fork().getConnection().execute('delete from users where id = ?', [id]);
          return found;
        },
        isSiteAdmin: (id) => ports.users.isSiteAdmin(id),
      },
    }));
    await expect(
      inRequest(() =>
        cases.assignTask.execute({
          actor: { userId: owner.id },
          taskId: task.id,
          assigneeId: doomed.userId,
        }),
      ),
    ).rejects.toThrow();
    expect(await outbox(task.id)).toEqual(before);
    expect((await owner.task(task.id)).assignee_id).toBeNull();
  });
});
