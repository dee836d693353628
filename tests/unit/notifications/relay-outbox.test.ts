import { describe, expect, it } from 'vitest';
import type { OutboxEvent } from '../../../src/modules/notifications/application/ports.ts';
import { RelayOutbox } from '../../../src/modules/notifications/application/relay-outbox.ts';
import { inMemoryNotificationsPorts } from '../../support/notifications/in-memory-notifications.ts';

const OWNER = 'owner';
const ASSIGNEE = 'assignee';
let eventCounter = 0;

type StoredEvent = OutboxEvent & { processedAt: null; attempts: number };

function event(fields: { type: OutboxEvent['type']; payload: object } & Record<string, unknown>) {
  eventCounter += 1;
  return {
    id: `event-${eventCounter}`,
    taskId: 'task-1',
    actorId: OWNER,
    occurredAt: new Date(`2026-11-22T09:00:${String(eventCounter % 60).padStart(2, '0')}Z`),
    recipients: [ASSIGNEE],
    processedAt: null,
    attempts: 0,
    ...fields,
  } as unknown as StoredEvent;
}

const commented = (fields: Record<string, unknown> = {}) =>
  event({ type: 'task.commented', payload: { title: 'Report', commentId: 'c-1' }, ...fields });

function setUp() {
  const world = inMemoryNotificationsPorts();
  return { ...world, relay: new RelayOutbox(world.ports) };
}

describe('RelayOutbox', () => {
  it('notifies each recipient but never the actor, marks the events processed, then publishes', async () => {
    const { relay, db, live } = setUp();
    db.events.push(
      commented({ recipients: [OWNER, ASSIGNEE] }),
      event({
        type: 'task.status_changed',
        actorId: ASSIGNEE,
        recipients: [OWNER],
        payload: { title: 'Report', from: 'pending', to: 'completed' },
      }),
    );

    const out = (await relay.execute({ limit: 10 }))._unsafeUnwrap();

    expect(out).toMatchObject({ processed: 2, failed: 0 });
    expect(db.notifications.map((n) => [n.userId, n.type, n.seq])).toEqual([
      [ASSIGNEE, 'task.commented', 1],
      [OWNER, 'task.status_changed', 1],
    ]);
    expect(db.notifications[1]?.data).toEqual({
      title: 'Report',
      from: 'pending',
      to: 'completed',
    });
    expect(db.events.every((e) => e.processedAt !== null)).toBe(true);
    expect(live.published).toEqual([out.notifications]);
  });

  it('hands the notifying events to subscribers in its transaction, the actor’s own included', async () => {
    const { relay, db } = setUp();
    const said = commented({ recipients: [ASSIGNEE] });
    db.events.push(
      said,
      event({
        type: 'task.reminder_changed',
        recipients: [OWNER, ASSIGNEE],
        payload: { reminderAt: null, dueDate: null },
      }),
    );

    await relay.execute({ limit: 10 });

    expect(db.subscribed).toEqual([
      {
        id: said.id,
        type: 'task.commented',
        taskId: 'task-1',
        actorId: OWNER,
        data: { title: 'Report', comment_id: 'c-1' },
        occurredAt: said.occurredAt,
        recipients: [ASSIGNEE],
      },
    ]);
    expect(db.dispatched).toEqual([said.id]);
  });

  it('leaves subscribers nothing from a transaction that failed after they recorded', async () => {
    const world = inMemoryNotificationsPorts();
    const { outbox } = world.ports;
    const relay = new RelayOutbox({
      ...world.ports,
      outbox: {
        claim: (limit, options) => outbox.claim(limit, options),
        peek: (limit) => outbox.peek(limit),
        markProcessed: () => Promise.reject(new Error('connection lost')),
        recordFailure: (id) => outbox.recordFailure(id),
      },
    });
    world.db.events.push(commented({ recipients: [ASSIGNEE] }));

    const out = (await relay.execute({ limit: 10 }))._unsafeUnwrap();

    expect(out).toMatchObject({ processed: 0, failed: 1 });
    expect(world.db.subscribed).toEqual([]);
    expect(world.db.dispatched).toEqual([]);
  });

  it('tells only the recipients who can still see the task when the event is relayed', async () => {
    const { relay, db, live } = setUp();
    const WATCHER = 'watcher';
    db.events.push(commented({ recipients: [ASSIGNEE, WATCHER] }));
    // Removed from the task's project after the comment was written, before it was relayed.
    db.hideTask('task-1', WATCHER);

    const out = (await relay.execute({ limit: 10 }))._unsafeUnwrap();

    expect(out).toMatchObject({ processed: 1, failed: 0 });
    expect(db.notifications.map((n) => n.userId)).toEqual([ASSIGNEE]);
    expect(live.published.flat().map((n) => n.userId)).toEqual([ASSIGNEE]);
  });

  it('records the newest reminder time per task and notifies no one about it', async () => {
    const { relay, db } = setUp();
    const reminder = (at: string | null, occurredAt: string) =>
      event({
        type: 'task.reminder_changed',
        recipients: [OWNER, ASSIGNEE],
        occurredAt: new Date(occurredAt),
        payload: { reminderAt: at, dueDate: null },
      });
    db.events.push(
      reminder('2026-11-23T08:00:00.000Z', '2026-11-22T09:00:00Z'),
      reminder('2026-11-23T09:00:00.000Z', '2026-11-22T09:00:05Z'),
    );

    const out = (await relay.execute({ limit: 10 }))._unsafeUnwrap();

    expect(out.notifications).toEqual([]);
    expect(db.reminders.get('task-1')?.reminderAt?.toISOString()).toBe('2026-11-23T09:00:00.000Z');
    expect(out.reminders).toHaveLength(1);
  });

  it('processes the other events of a batch when one of them fails, and counts its attempt', async () => {
    const { relay, db, live, failures } = setUp();
    db.poisoned.add('poisoned-user');
    const bad = commented({ recipients: ['poisoned-user'] });
    db.events.push(commented(), bad, commented());

    const out = (await relay.execute({ limit: 10 }))._unsafeUnwrap();

    expect(out).toMatchObject({ processed: 2, failed: 1 });
    expect(db.notifications).toHaveLength(2);
    expect(db.events.find((e) => e.id === bad.id)).toMatchObject({
      processedAt: null,
      attempts: 1,
    });
    expect(live.published.flat()).toHaveLength(2);
    expect(failures.length).toBeGreaterThan(0);
  });

  it('keeps what it stored when publishing fails; the failure is reported, not thrown', async () => {
    const { relay, db, live, failures } = setUp();
    live.failure = new Error('redis down');
    db.events.push(commented());

    const out = (await relay.execute({ limit: 10 }))._unsafeUnwrap();

    expect(out.processed).toBe(1);
    expect(db.notifications).toHaveLength(1);
    expect(failures).toEqual([live.failure]);
  });

  it('creates nothing twice when the same event comes round again', async () => {
    const { relay, db } = setUp();
    db.events.push(commented());
    await relay.execute({ limit: 10 });
    db.events[0]!.processedAt = null;

    const again = (await relay.execute({ limit: 10 }))._unsafeUnwrap();

    expect(again).toMatchObject({ processed: 1, notifications: [] });
    expect(db.notifications).toHaveLength(1);
  });
});
