import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { entities } from '../../../src/container.ts';
import { MikroOrmNotificationRepository } from '../../../src/modules/notifications/adapters/persistence/mikro-orm-notification-repository.ts';
import { MikroOrmOutboxSource } from '../../../src/modules/notifications/adapters/persistence/mikro-orm-outbox-source.ts';
import { MikroOrmReminderStates } from '../../../src/modules/notifications/adapters/persistence/mikro-orm-reminder-states.ts';
import type {
  NotificationRepository,
  OutboxEvent,
  OutboxSource,
  ReminderChange,
  ReminderStates,
} from '../../../src/modules/notifications/application/ports.ts';
import type {
  Notification,
  NotificationDraft,
} from '../../../src/modules/notifications/domain/notification.ts';
import { initOrm, type Orm } from '../../../src/shared/infra/orm.ts';
import {
  isolatedDatabase,
  type IsolatedDatabase,
} from '../../support/notifications/isolated-database.ts';
import { inMemoryNotificationsPorts } from '../../support/notifications/in-memory-notifications.ts';

/**
 * The contract of the notifications module's repositories (the inbox, the outbox it relays, the
 * reminder states), run against the in-memory fakes the use-case tests rely on and against
 * PostgreSQL, so the fakes cannot drift from the SQL. PostgreSQL runs on a database of its own:
 * the outbox and the reminder states are global, and every case starts from empty ones.
 */

interface World {
  notifications: NotificationRepository;
  outbox: OutboxSource;
  reminders: ReminderStates;
  /** Writes rows into the outbox as the tasks module would (`type` unchecked, as in the table). */
  appendEvents(events: readonly OutboxEvent[]): Promise<void>;
  /** Two users that exist. */
  users(): Promise<[string, string]>;
  /** A user who existed and was deleted since. */
  goneUser(): Promise<string>;
}

let database: IsolatedDatabase;
let orm: Orm;

beforeAll(async () => {
  database = await isolatedDatabase('contract');
  orm = await initOrm({ databaseUrl: database.url, entities, poolMax: 4 });
});

afterAll(async () => {
  await orm.close();
  await database.drop();
});

const inMemory = async (): Promise<World> => {
  const { ports, db } = inMemoryNotificationsPorts();
  return {
    notifications: ports.notifications,
    outbox: ports.outbox,
    reminders: ports.reminderStates,
    appendEvents: async (events) => {
      db.events.push(
        ...structuredClone(events).map((e) => ({ ...e, processedAt: null, attempts: 0 })),
      );
    },
    users: async () => [randomUUID(), randomUUID()],
    goneUser: async () => {
      const id = randomUUID();
      db.goneUsers.add(id);
      return id;
    },
  };
};

const postgres = async (): Promise<World> => {
  await database.execute('delete from outbox_events');
  await database.execute('delete from task_reminders');
  const em = orm.em.fork();
  const addUser = async () => {
    const id = randomUUID();
    await database.execute(
      `insert into users (id, email, full_name, password_hash, role, email_verified,
         is_active, failed_login_count, created_at, updated_at)
       values (?, ?, 'Contract', 'x', 'user', true, true, 0, now(), now())`,
      [id, `contract-${id}@example.test`],
    );
    return id;
  };
  return {
    notifications: new MikroOrmNotificationRepository(em),
    outbox: new MikroOrmOutboxSource(em),
    reminders: new MikroOrmReminderStates(em),
    appendEvents: async (events) => {
      for (const e of events) {
        await database.execute(
          `insert into outbox_events (id, type, task_id, project_id, actor_id, recipients, payload,
             occurred_at, trace_context)
           values (?, ?, ?, ?, ?, ?::uuid[], ?::jsonb, ?, ?::jsonb)`,
          [
            e.id,
            e.type,
            e.taskId,
            e.projectId,
            e.actorId,
            `{${e.recipients.join(',')}}`,
            JSON.stringify(e.payload),
            e.occurredAt,
            e.traceContext === undefined ? null : JSON.stringify(e.traceContext),
          ],
        );
      }
    },
    users: async () => [await addUser(), await addUser()],
    goneUser: async () => {
      const id = await addUser();
      await database.execute('delete from users where id = ?', [id]);
      return id;
    },
  };
};

const T0 = new Date('2030-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function draft(userId: string, overrides: Partial<NotificationDraft> = {}): NotificationDraft {
  return {
    id: randomUUID(),
    userId,
    type: 'task.commented',
    taskId: randomUUID(),
    actorId: randomUUID(),
    data: { title: 'Report', comment_id: randomUUID() },
    source: { type: 'event', eventId: randomUUID() },
    createdAt: T0,
    ...overrides,
  } as NotificationDraft;
}

/** The notification a draft becomes once stored with `seq`. */
function storedAs(d: NotificationDraft, seq: number, readAt: Date | null = null): Notification {
  const stored: Partial<NotificationDraft> & Pick<Notification, 'seq' | 'readAt'> = {
    ...d,
    seq,
    readAt,
  };
  delete stored.source;
  return stored as Notification;
}

const bySeq = (items: readonly Notification[]) =>
  [...items].sort((a, b) => a.seq - b.seq || (a.userId < b.userId ? -1 : 1));
const byTask = <T extends { taskId: string }>(items: readonly T[]) =>
  [...items].sort((a, b) => (a.taskId < b.taskId ? -1 : 1));

/** `count` ids sorted as PostgreSQL sorts uuids (byte order, the same as lowercase hex). */
const sortedIds = (count: number) =>
  Array.from({ length: count }, () => randomUUID()).sort((a, b) => (a < b ? -1 : 1));

function outboxEvent(overrides: Partial<OutboxEvent> = {}): OutboxEvent {
  return {
    id: randomUUID(),
    type: 'task.commented',
    taskId: randomUUID(),
    projectId: randomUUID(),
    actorId: randomUUID(),
    occurredAt: T0,
    recipients: [randomUUID()],
    payload: { title: 'Report', commentId: randomUUID() },
    ...overrides,
  } as OutboxEvent;
}

const RECIPIENT = randomUUID();
const OTHER_RECIPIENT = randomUUID();

describe.each([
  ['in-memory', inMemory],
  ['postgres', postgres],
] as const)('notifications repositories contract (%s)', (_name, makeWorld) => {
  let world: World;

  beforeEach(async () => {
    world = await makeWorld();
  });

  describe('notifications', () => {
    it('numbers each user’s notifications 1, 2, ... and stores one per source and user', async () => {
      const [ann, bob] = await world.users();
      expect(await world.notifications.latestSeq(ann)).toBe(0);
      const first = [draft(ann), draft(bob), draft(ann)];
      expect(bySeq(await world.notifications.insertNew(first))).toEqual(
        bySeq([storedAs(first[0]!, 1), storedAs(first[1]!, 1), storedAs(first[2]!, 2)]),
      );

      // The same event for the same user again (another id): not stored; for another user: stored.
      const again = { ...first[0]!, id: randomUUID() };
      const forBob = { ...first[0]!, id: randomUUID(), userId: bob };
      const later = draft(ann);
      const stored = await world.notifications.insertNew([again, forBob, later]);
      expect(stored.map((n) => n.id).sort()).toEqual([forBob.id, later.id].sort());
      expect(stored.find((n) => n.id === forBob.id)?.seq).toBe(2);
      const annLater = stored.find((n) => n.id === later.id)!.seq;
      expect(annLater).toBeGreaterThan(2);
      expect(await world.notifications.latestSeq(ann)).toBe(annLater);
      expect(await world.notifications.latestSeq(bob)).toBe(2);
      expect(await world.notifications.insertNew([])).toEqual([]);
    });

    it('stores one reminder per task, reminder time and user', async () => {
      const [ann] = await world.users();
      const taskId = randomUUID();
      const reminder = (reminderAt: Date) =>
        draft(ann, {
          type: 'task.due_soon',
          taskId,
          actorId: null,
          data: { title: 'Report', reminder_at: reminderAt.toISOString(), due_date: null },
          source: { type: 'reminder', reminderAt },
        });
      expect(await world.notifications.insertNew([reminder(at(60))])).toHaveLength(1);
      expect(await world.notifications.insertNew([reminder(at(60))])).toEqual([]);
      expect(await world.notifications.insertNew([reminder(at(90))])).toHaveLength(1);
      const inbox = await world.notifications.list({ userId: ann, unreadOnly: false, limit: 10 });
      expect(inbox.items.map((n) => n.type)).toEqual(['task.due_soon', 'task.due_soon']);
    });

    it('drops drafts for users that no longer exist', async () => {
      const [ann] = await world.users();
      const gone = await world.goneUser();
      const kept = draft(ann);
      expect(await world.notifications.insertNew([draft(gone), kept])).toEqual([storedAs(kept, 1)]);
      expect(await world.notifications.latestSeq(gone)).toBe(0);
    });

    it('pages the inbox newest first by seq, unread only on demand', async () => {
      const [ann, bob] = await world.users();
      const drafts = Array.from({ length: 5 }, (_, i) => draft(ann, { createdAt: at(10 - i) }));
      await world.notifications.insertNew(drafts);
      await world.notifications.insertNew([draft(bob)]);
      expect(await world.notifications.markRead(ann, drafts[3]!.id, at(20))).toBe(true);

      const page1 = await world.notifications.list({ userId: ann, unreadOnly: false, limit: 2 });
      expect(page1.items.map((n) => n.seq)).toEqual([5, 4]);
      expect(page1.hasMore).toBe(true);
      expect(page1.items[1]).toEqual(storedAs(drafts[3]!, 4, at(20)));
      const page2 = await world.notifications.list({
        userId: ann,
        unreadOnly: false,
        limit: 2,
        beforeSeq: 4,
      });
      expect(page2.items.map((n) => n.seq)).toEqual([3, 2]);
      expect(page2.hasMore).toBe(true);
      const page3 = await world.notifications.list({
        userId: ann,
        unreadOnly: false,
        limit: 2,
        beforeSeq: 2,
      });
      expect(page3).toEqual({ items: [storedAs(drafts[0]!, 1)], hasMore: false });

      const unread = await world.notifications.list({ userId: ann, unreadOnly: true, limit: 3 });
      expect(unread.items.map((n) => n.seq)).toEqual([5, 3, 2]);
      expect(unread.hasMore).toBe(true);
      const exact = await world.notifications.list({ userId: ann, unreadOnly: true, limit: 4 });
      expect(exact.items.map((n) => n.seq)).toEqual([5, 3, 2, 1]);
      expect(exact.hasMore).toBe(false);
    });

    it('marks one read for its user only, keeping an earlier read time; marks all read', async () => {
      const [ann, bob] = await world.users();
      const [a1, a2, a3] = [draft(ann), draft(ann), draft(ann)];
      const b1 = draft(bob);
      await world.notifications.insertNew([a1, a2, a3, b1]);

      expect(await world.notifications.markRead(bob, a1.id, at(1))).toBe(false);
      expect(await world.notifications.markRead(ann, randomUUID(), at(1))).toBe(false);
      expect(await world.notifications.markRead(ann, a1.id, at(1))).toBe(true);
      expect(await world.notifications.markRead(ann, a1.id, at(2))).toBe(true);
      await world.notifications.markAllRead(ann, at(3));

      const inbox = await world.notifications.list({ userId: ann, unreadOnly: false, limit: 10 });
      expect(inbox.items.map((n) => [n.id, n.readAt])).toEqual([
        [a3.id, at(3)],
        [a2.id, at(3)],
        [a1.id, at(1)],
      ]);
      expect(
        (await world.notifications.list({ userId: ann, unreadOnly: true, limit: 10 })).items,
      ).toEqual([]);
      expect(
        (await world.notifications.list({ userId: bob, unreadOnly: true, limit: 10 })).items,
      ).toEqual([storedAs(b1, 1)]);
    });

    it('tells a notification’s seq to its user only, and lists what follows a seq oldest first', async () => {
      const [ann, bob] = await world.users();
      const drafts = [draft(ann), draft(ann), draft(ann), draft(ann)];
      await world.notifications.insertNew(drafts);
      await world.notifications.insertNew([draft(bob)]);
      expect(await world.notifications.seqOf(ann, drafts[2]!.id)).toBe(3);
      expect(await world.notifications.seqOf(bob, drafts[2]!.id)).toBeUndefined();
      expect(await world.notifications.seqOf(ann, randomUUID())).toBeUndefined();
      expect(await world.notifications.listAfter(ann, 1, 2)).toEqual([
        storedAs(drafts[1]!, 2),
        storedAs(drafts[2]!, 3),
      ]);
      expect(await world.notifications.listAfter(ann, 4, 10)).toEqual([]);
      expect((await world.notifications.listAfter(bob, 0, 10)).map((n) => n.seq)).toEqual([1]);
    });
  });

  describe('outbox', () => {
    it('claims unprocessed events of known types oldest first (then by id), as written', async () => {
      const [a, b] = sortedIds(2);
      const late = outboxEvent({ occurredAt: at(5), traceContext: { traceparent: '00-x' } });
      const tieB = outboxEvent({ id: b!, occurredAt: at(1) });
      const tieA = outboxEvent({
        id: a!,
        occurredAt: at(1),
        type: 'task.reminder_changed',
        payload: { reminderAt: null, dueDate: '2030-03-02T10:00:00.000Z' },
      });
      const first = outboxEvent({ occurredAt: at(0) });
      const unknown = outboxEvent({
        occurredAt: at(-10),
        type: 'task.archived' as OutboxEvent['type'],
      });
      await world.appendEvents([late, tieB, unknown, tieA, first]);

      expect(await world.outbox.peek(10)).toEqual([first.id, tieA.id, tieB.id, late.id]);
      expect(await world.outbox.claim(10)).toEqual([first, tieA, tieB, late]);
      expect((await world.outbox.claim(2)).map((e) => e.id)).toEqual([first.id, tieA.id]);
      expect(
        (await world.outbox.claim(10, { onlyIds: [late.id, tieB.id, unknown.id] })).map(
          (e) => e.id,
        ),
      ).toEqual([tieB.id, late.id]);
    });

    it('stops claiming processed events and those that failed ten times', async () => {
      const [done, failing, other] = [outboxEvent(), outboxEvent(), outboxEvent()];
      await world.appendEvents([done, failing, other]);
      await world.outbox.markProcessed([done.id], at(1));
      await world.outbox.markProcessed([], at(1));
      for (let i = 0; i < 9; i++) await world.outbox.recordFailure(failing.id);
      expect(await world.outbox.peek(10)).toEqual(
        [failing.id, other.id].sort((x, y) => (x < y ? -1 : 1)),
      );
      await world.outbox.recordFailure(failing.id);
      await world.outbox.recordFailure(randomUUID());
      expect(await world.outbox.peek(10)).toEqual([other.id]);
      expect((await world.outbox.claim(10)).map((e) => e.id)).toEqual([other.id]);
    });
  });

  describe('reminder states', () => {
    const change = (
      taskId: string,
      reminderAt: Date | null,
      changedAt: Date,
      recipients = [RECIPIENT],
    ) => ({ taskId, reminderAt, recipients, changedAt }) satisfies ReminderChange;

    it('records the latest change per task; an older one never overwrites a newer one', async () => {
      const [t1, t2] = [randomUUID(), randomUUID()];
      const [ann, bob] = [randomUUID(), randomUUID()];
      await world.reminders.record([change(t1, at(60), at(1), [ann]), change(t2, null, at(1))]);
      await world.reminders.record([change(t1, at(90), at(0), [bob])]);
      expect(byTask(await world.reminders.find([t1, t2, randomUUID()]))).toEqual(
        byTask([
          { taskId: t1, reminderAt: at(60), recipients: [ann], firedAt: null },
          { taskId: t2, reminderAt: null, recipients: [RECIPIENT], firedAt: null },
        ]),
      );
      await world.reminders.record([change(t1, at(90), at(1), [ann, bob])]);
      expect(await world.reminders.find([t1])).toEqual([
        { taskId: t1, reminderAt: at(90), recipients: [ann, bob], firedAt: null },
      ]);
      expect(await world.reminders.find([])).toEqual([]);
    });

    it('marks a reminder fired at its recorded time only; the same time keeps it, a new one clears it', async () => {
      const t = randomUUID();
      await world.reminders.record([change(t, at(60), at(0))]);
      await world.reminders.markFired(t, at(30), at(5));
      expect((await world.reminders.find([t]))[0]?.firedAt).toBeNull();
      await world.reminders.markFired(t, at(60), at(5));
      await world.reminders.markFired(t, at(60), at(6));
      expect((await world.reminders.find([t]))[0]?.firedAt).toEqual(at(5));

      await world.reminders.record([change(t, at(60), at(7), [OTHER_RECIPIENT])]);
      expect(await world.reminders.find([t])).toEqual([
        { taskId: t, reminderAt: at(60), recipients: [OTHER_RECIPIENT], firedAt: at(5) },
      ]);
      await world.reminders.record([change(t, at(120), at(8))]);
      expect((await world.reminders.find([t]))[0]?.firedAt).toBeNull();
    });

    it('lists unfired reminders due by a time, soonest first then by task, after a position', async () => {
      const [a, b, c, d, e] = sortedIds(5);
      await world.reminders.record([
        change(e!, at(10), at(0)),
        change(c!, at(20), at(0)),
        change(b!, at(20), at(0)),
        change(a!, at(30), at(0)),
        change(d!, null, at(0)),
      ]);
      const fired = randomUUID();
      await world.reminders.record([change(fired, at(5), at(0))]);
      await world.reminders.markFired(fired, at(5), at(6));
      await world.reminders.record([change(randomUUID(), at(31), at(0))]);

      const all = [
        { taskId: e!, reminderAt: at(10) },
        { taskId: b!, reminderAt: at(20) },
        { taskId: c!, reminderAt: at(20) },
        { taskId: a!, reminderAt: at(30) },
      ];
      expect(await world.reminders.pending(at(30), 10)).toEqual(all);
      expect(await world.reminders.pending(at(30), 2)).toEqual(all.slice(0, 2));
      expect(await world.reminders.pending(at(30), 10, all[1])).toEqual(all.slice(2));
      expect(await world.reminders.pending(at(20), 10, all[0])).toEqual(all.slice(1, 3));
      expect(await world.reminders.pending(at(9), 10)).toEqual([]);
    });
  });
});
