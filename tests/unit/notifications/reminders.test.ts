import { describe, expect, it } from 'vitest';
import { FireReminder } from '../../../src/modules/notifications/application/fire-reminder.ts';
import type { TaskSnapshot } from '../../../src/modules/notifications/application/ports.ts';
import { ReconcileReminders } from '../../../src/modules/notifications/application/reconcile-reminders.ts';
import { RelayOutbox } from '../../../src/modules/notifications/application/relay-outbox.ts';
import { inMemoryNotificationsPorts } from '../../support/notifications/in-memory-notifications.ts';

const NOW = new Date('2026-11-22T10:00:00Z');
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

const aTask = (overrides: Partial<TaskSnapshot> = {}): TaskSnapshot => ({
  id: 'task-1',
  projectId: 'project-1',
  ownerId: 'owner',
  assigneeId: 'assignee',
  title: 'Report',
  status: 'pending',
  dueDate: at(60),
  remindAt: at(0),
  deletedAt: null,
  ...overrides,
});

function setUp(task: TaskSnapshot | undefined = aTask()) {
  const world = inMemoryNotificationsPorts(NOW);
  if (task) {
    world.db.tasks.set(task.id, task);
    world.db.reminders.set(task.id, {
      taskId: task.id,
      reminderAt: task.remindAt,
      recipients: [task.ownerId, task.assigneeId].filter((id): id is string => id !== null),
      changedAt: at(-10),
      firedAt: null,
    });
  }
  return { ...world, fire: new FireReminder(world.ports) };
}

describe('FireReminder', () => {
  it('tells the owner and the assignee once it is time, and marks the reminder fired', async () => {
    const { fire, db, live } = setUp();

    const out = (await fire.execute({ taskId: 'task-1' }))._unsafeUnwrap();

    expect(out).toMatchObject({ type: 'fired', latenessMs: 0 });
    expect(db.notifications.map((n) => [n.userId, n.type, n.actorId])).toEqual([
      ['owner', 'task.due_soon', null],
      ['assignee', 'task.due_soon', null],
    ]);
    expect(db.notifications[0]?.data).toEqual({
      title: 'Report',
      reminder_at: at(0).toISOString(),
      due_date: at(60).toISOString(),
    });
    expect(db.reminders.get('task-1')?.firedAt).toEqual(NOW);
    expect(live.published.flat()).toHaveLength(2);
  });

  it('hands task.due_soon to subscribers in its transaction, once, then dispatches it', async () => {
    const { fire, db } = setUp();
    await fire.execute({ taskId: 'task-1' });
    await fire.execute({ taskId: 'task-1' });

    expect(db.subscribed).toEqual([
      {
        id: expect.any(String) as string,
        type: 'task.due_soon',
        taskId: 'task-1',
        projectId: 'project-1',
        actorId: null,
        data: { title: 'Report', reminder_at: at(0).toISOString(), due_date: at(60).toISOString() },
        occurredAt: NOW,
        recipients: ['owner', 'assignee'],
      },
    ]);
    expect(db.dispatched).toEqual([db.subscribed[0]!.id]);
  });

  it('creates nothing more when the job runs again (a retry, a duplicate job)', async () => {
    const { fire, db } = setUp();
    await fire.execute({ taskId: 'task-1' });
    const again = (await fire.execute({ taskId: 'task-1' }))._unsafeUnwrap();
    expect(again).toMatchObject({ type: 'fired', notifications: [] });
    expect(db.notifications).toHaveLength(2);
  });

  it('skips a completed task and a deleted one', async () => {
    for (const task of [aTask({ status: 'completed' }), aTask({ deletedAt: at(-1) })]) {
      const { fire, db } = setUp(task);
      expect((await fire.execute({ taskId: 'task-1' }))._unsafeUnwrap()).toEqual({
        type: 'skipped',
      });
      expect(db.notifications).toEqual([]);
    }
  });

  it('answers "early" when the reminder moved later than the job', async () => {
    const { fire, db } = setUp(aTask({ remindAt: at(30) }));
    expect((await fire.execute({ taskId: 'task-1' }))._unsafeUnwrap()).toEqual({
      type: 'early',
      reminderAt: at(30),
    });
    expect(db.notifications).toEqual([]);
  });

  it('falls back to the due date minus the lead time, and fires late (once) when overdue', async () => {
    const { fire, db } = setUp(aTask({ remindAt: null, dueDate: at(30) }));
    const out = (await fire.execute({ taskId: 'task-1' }))._unsafeUnwrap();
    expect(out).toMatchObject({ type: 'fired', reminderAt: at(-30), latenessMs: 30 * 60_000 });
    expect(db.notifications).toHaveLength(2);
  });

  it('reminds the current assignee, read through the owner when the old one lost sight of it', async () => {
    const { fire, db } = setUp();
    db.reminders.get('task-1')!.recipients = ['assignee', 'owner'];
    db.tasks.set('task-1', aTask({ assigneeId: 'newcomer' }));
    await fire.execute({ taskId: 'task-1' });
    expect(db.notifications.map((n) => n.userId)).toEqual(['owner', 'newcomer']);
  });
});

describe('reminder jobs follow the outbox', () => {
  const reminderChanged = (id: string, reminderAt: Date | null, occurredAt: Date) => ({
    id,
    type: 'task.reminder_changed' as const,
    taskId: 'task-1',
    projectId: 'project-1',
    actorId: 'owner',
    occurredAt,
    recipients: ['owner'],
    payload: { reminderAt: reminderAt?.toISOString() ?? null, dueDate: null },
    processedAt: null,
    attempts: 0,
  });

  it('schedules, moves and drops the task’s job as its reminder changes', async () => {
    const { ports, db } = inMemoryNotificationsPorts(NOW);
    const relay = new RelayOutbox(ports);

    db.events.push(reminderChanged('e1', at(30), at(-3)));
    await relay.execute({ limit: 10 });
    expect(db.jobs.get('task-1')).toEqual(at(30));

    db.events.push(reminderChanged('e2', at(45), at(-2)));
    await relay.execute({ limit: 10 });
    expect(db.jobs.get('task-1')).toEqual(at(45));

    db.events.push(reminderChanged('e3', null, at(-1)));
    await relay.execute({ limit: 10 });
    expect(db.jobs.has('task-1')).toBe(false);
  });

  it('keeps the newer time when an older change is relayed after it', async () => {
    const { ports, db } = inMemoryNotificationsPorts(NOW);
    const relay = new RelayOutbox(ports);
    db.events.push(reminderChanged('newer', at(45), at(-1)));
    await relay.execute({ limit: 10 });
    db.events.push(reminderChanged('older', at(30), at(-2)));
    await relay.execute({ limit: 10 });
    expect(db.jobs.get('task-1')).toEqual(at(45));
  });
});

describe('ReconcileReminders', () => {
  it('re-schedules every unfired reminder due within the horizon, page by page', async () => {
    const { ports, db } = inMemoryNotificationsPorts(NOW);
    for (let i = 0; i < 5; i += 1) {
      db.reminders.set(`task-${i}`, {
        taskId: `task-${i}`,
        reminderAt: at(i * 10 - 15),
        recipients: ['owner'],
        changedAt: at(-60),
        firedAt: i === 0 ? at(-15) : null,
      });
    }

    const out = (
      await new ReconcileReminders(ports).execute({ horizonMs: 20 * 60_000, pageSize: 2 })
    )._unsafeUnwrap();

    expect(out.scheduled).toBe(3);
    expect([...db.jobs.keys()].sort()).toEqual(['task-1', 'task-2', 'task-3']);
  });
});
