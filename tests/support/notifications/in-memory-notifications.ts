import type {
  InboxQuery,
  LiveFeed,
  NotificationRepository,
  NotificationsPorts,
  OutboxEvent,
  OutboxSource,
  PendingReminder,
  ReminderChange,
  ReminderJobs,
  ReminderState,
  ReminderStates,
  SubscribedEvent,
  TaskSnapshot,
} from '../../../src/modules/notifications/application/ports.ts';
import type {
  Notification,
  NotificationDraft,
} from '../../../src/modules/notifications/domain/notification.ts';
import { TASK_EVENT_TYPES } from '../../../src/modules/tasks/index.ts';
import { SequentialIds } from '../identity/sequential-ids.ts';

/**
 * One in-memory store behind every port. `run` snapshots it and restores the snapshot when the
 * work throws, so a failed transaction leaves nothing behind, as in PostgreSQL.
 */
export class InMemoryNotificationsDb {
  events: Array<OutboxEvent & { processedAt: Date | null; attempts: number }> = [];
  notifications: Array<Notification & { sourceKey: string }> = [];
  reminders = new Map<string, ReminderChange & { firedAt: Date | null }>();
  /** Each task's job time, as the reminder jobs port was told. */
  jobs = new Map<string, Date>();
  lastSeq = new Map<string, number>();
  /** Users deleted since their events were written: drafts for them are dropped. */
  goneUsers = new Set<string>();
  /** Users for whom storing a notification throws (a poisoned event). */
  poisoned = new Set<string>();
  /** Tasks as the tasks module would show them. */
  tasks = new Map<string, TaskSnapshot>();
  /** What subscribers recorded, in the transactions that committed. */
  subscribed: SubscribedEvent[] = [];
  /** Events whose after-commit work subscribers were asked to run. */
  dispatched: string[] = [];

  /** `taskId:userId` pairs the tasks module says cannot see the task (removed, unassigned). */
  hiddenTasks = new Set<string>();

  hideTask(taskId: string, userId: string): void {
    this.hiddenTasks.add(`${taskId}:${userId}`);
  }

  /** Everyone not hidden: the relay's events mostly concern tasks this fake does not hold. */
  whoCanSee(taskId: string, userIds: readonly string[]): string[] {
    return userIds.filter((userId) => !this.hiddenTasks.has(`${taskId}:${userId}`));
  }

  taskVisibleTo(taskId: string, userId: string): TaskSnapshot | undefined {
    const task = this.tasks.get(taskId);
    if (!task || task.deletedAt !== null) return undefined;
    return task.ownerId === userId || task.assigneeId === userId ? task : undefined;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    const snapshot = structuredClone({
      events: this.events,
      notifications: this.notifications,
      reminders: this.reminders,
      lastSeq: this.lastSeq,
      subscribed: this.subscribed,
    });
    try {
      return await work();
    } catch (error) {
      Object.assign(this, snapshot);
      throw error;
    }
  }
}

class InMemoryOutboxSource implements OutboxSource {
  private readonly db: InMemoryNotificationsDb;
  constructor(db: InMemoryNotificationsDb) {
    this.db = db;
  }
  /** Unprocessed events of known types not yet given up on, oldest first (then by id). */
  private pending() {
    return this.db.events
      .filter(
        (e) =>
          e.processedAt === null &&
          e.attempts < 10 &&
          (TASK_EVENT_TYPES as readonly string[]).includes(e.type),
      )
      .sort(
        (x, y) =>
          x.occurredAt.getTime() - y.occurredAt.getTime() ||
          (x.id < y.id ? -1 : x.id > y.id ? 1 : 0),
      );
  }
  async claim(limit: number, options: { onlyIds?: readonly string[] } = {}) {
    return this.pending()
      .filter((e) => !options.onlyIds || options.onlyIds.includes(e.id))
      .slice(0, limit)
      .map((row): OutboxEvent => {
        const event: Partial<typeof row> = { ...row };
        delete event.processedAt;
        delete event.attempts;
        return event as OutboxEvent;
      });
  }
  async peek(limit: number) {
    return this.pending()
      .slice(0, limit)
      .map((e) => e.id);
  }
  async markProcessed(ids: readonly string[], at: Date) {
    for (const e of this.db.events) if (ids.includes(e.id)) e.processedAt = at;
  }
  async recordFailure(id: string) {
    const event = this.db.events.find((e) => e.id === id);
    if (event) event.attempts += 1;
  }
}

class InMemoryNotificationRepository implements NotificationRepository {
  private readonly db: InMemoryNotificationsDb;
  constructor(db: InMemoryNotificationsDb) {
    this.db = db;
  }
  async insertNew(drafts: readonly NotificationDraft[]) {
    const stored: Notification[] = [];
    for (const draft of drafts) {
      if (this.db.poisoned.has(draft.userId)) throw new Error(`cannot store for ${draft.userId}`);
      if (this.db.goneUsers.has(draft.userId)) continue;
      const { source, ...fields } = draft;
      const sourceId =
        source.type === 'event'
          ? source.eventId
          : source.type === 'reminder'
            ? `${draft.taskId}@${source.reminderAt.toISOString()}`
            : draft.id;
      const sourceKey = `${sourceId}/${draft.userId}`;
      const seq = (this.db.lastSeq.get(draft.userId) ?? 0) + 1;
      this.db.lastSeq.set(draft.userId, seq);
      if (this.db.notifications.some((n) => n.sourceKey === sourceKey)) continue;
      const notification: Notification = { ...fields, seq, readAt: null };
      this.db.notifications.push({ ...notification, sourceKey });
      stored.push(notification);
    }
    return stored;
  }
  async list(query: InboxQuery) {
    const mine = this.db.notifications
      .filter((n) => n.userId === query.userId && (!query.unreadOnly || n.readAt === null))
      .filter((n) => query.beforeSeq === undefined || n.seq < query.beforeSeq)
      .sort((x, y) => y.seq - x.seq);
    return { items: mine.slice(0, query.limit).map(asStored), hasMore: mine.length > query.limit };
  }
  async markRead(userId: string, id: string, at: Date) {
    const found = this.db.notifications.find((n) => n.id === id && n.userId === userId);
    if (found) found.readAt ??= at;
    return found !== undefined;
  }
  async markAllRead(userId: string, at: Date) {
    for (const n of this.db.notifications) if (n.userId === userId) n.readAt ??= at;
  }
  async seqOf(userId: string, id: string) {
    return this.db.notifications.find((n) => n.id === id && n.userId === userId)?.seq;
  }
  async latestSeq(userId: string) {
    return Math.max(
      0,
      ...this.db.notifications.filter((n) => n.userId === userId).map((n) => n.seq),
    );
  }
  async listAfter(userId: string, afterSeq: number, limit: number) {
    return this.db.notifications
      .filter((n) => n.userId === userId && n.seq > afterSeq)
      .sort((x, y) => x.seq - y.seq)
      .slice(0, limit)
      .map(asStored);
  }
}

/** A stored notification as the repository hands it out: a copy, without the source key. */
function asStored(row: Notification & { sourceKey: string }): Notification {
  const notification: Partial<typeof row> = structuredClone(row);
  delete notification.sourceKey;
  return notification as Notification;
}

class InMemoryReminderStates implements ReminderStates {
  private readonly db: InMemoryNotificationsDb;
  constructor(db: InMemoryNotificationsDb) {
    this.db = db;
  }
  async record(changes: readonly ReminderChange[]) {
    for (const change of changes) {
      const known = this.db.reminders.get(change.taskId);
      if (known && known.changedAt > change.changedAt) continue;
      const same = known?.reminderAt?.getTime() === change.reminderAt?.getTime();
      const firedAt = known && same ? known.firedAt : null;
      this.db.reminders.set(change.taskId, { ...structuredClone(change), firedAt });
    }
  }
  async find(taskIds: readonly string[]): Promise<ReminderState[]> {
    return taskIds.flatMap((taskId) => {
      const state = this.db.reminders.get(taskId);
      return state
        ? [
            {
              taskId,
              reminderAt: state.reminderAt,
              recipients: state.recipients,
              firedAt: state.firedAt,
            },
          ]
        : [];
    });
  }
  async markFired(taskId: string, reminderAt: Date, at: Date) {
    const state = this.db.reminders.get(taskId);
    if (state?.reminderAt?.getTime() === reminderAt.getTime()) state.firedAt ??= at;
  }
  async pending(until: Date, limit: number, after?: PendingReminder): Promise<PendingReminder[]> {
    const key = (p: PendingReminder) => `${p.reminderAt.toISOString()}/${p.taskId}`;
    return [...this.db.reminders.values()]
      .filter((s) => s.reminderAt !== null && s.firedAt === null && s.reminderAt <= until)
      .map((s) => ({ taskId: s.taskId, reminderAt: s.reminderAt! }))
      .filter((p) => !after || key(p) > key(after))
      .sort((x, y) => (key(x) < key(y) ? -1 : 1))
      .slice(0, limit);
  }
}

class InMemoryReminderJobs implements ReminderJobs {
  private readonly db: InMemoryNotificationsDb;
  constructor(db: InMemoryNotificationsDb) {
    this.db = db;
  }
  async schedule(taskId: string, at: Date) {
    this.db.jobs.set(taskId, at);
  }
  async cancel(taskId: string) {
    this.db.jobs.delete(taskId);
  }
}

export class RecordingLiveFeed implements LiveFeed {
  readonly published: Notification[][] = [];
  failure: Error | undefined;
  async publish(notifications: readonly Notification[]) {
    if (this.failure) throw this.failure;
    this.published.push([...notifications]);
  }
}

export function inMemoryNotificationsPorts(now = new Date('2026-11-22T10:00:00Z')) {
  const db = new InMemoryNotificationsDb();
  const live = new RecordingLiveFeed();
  const failures: unknown[] = [];
  const ports: NotificationsPorts = {
    outbox: new InMemoryOutboxSource(db),
    notifications: new InMemoryNotificationRepository(db),
    reminderStates: new InMemoryReminderStates(db),
    live,
    subscribers: {
      record: async (events) => {
        db.subscribed.push(...events);
        return async () => {
          db.dispatched.push(...events.map((event) => event.id));
        };
      },
    },
    liveSessions: { isLive: async () => true, endedAmong: async () => [] },
    tracing: { start: () => ({ run: (work) => work(), end: () => undefined }) },
    tickets: {
      issue: async () => 'ticket',
      redeem: async () => undefined,
    },
    reminderJobs: new InMemoryReminderJobs(db),
    tasks: {
      visibleTo: async (taskId, userId) => db.taskVisibleTo(taskId, userId),
      whoCanSee: async (taskId, userIds) => db.whoCanSee(taskId, userIds),
    },
    reminders: { leadMinutes: 60 },
    ids: new SequentialIds(),
    clock: { now: () => now },
    transactions: { run: (work) => db.run(work) },
    failures: { report: (error) => failures.push(error) },
  };
  return { ports, db, live, failures };
}
