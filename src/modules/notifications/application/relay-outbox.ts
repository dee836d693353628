import { ok, ResultAsync, type Result } from 'neverthrow';
import type { Notification, NotificationDraft } from '../domain/notification.ts';
import {
  notificationsFor,
  reminderChangesIn,
  subscribedEventsIn,
} from './support/event-notifications.ts';
import type { EventTrace, NotificationsPorts, OutboxEvent, ReminderChange } from './ports.ts';

export interface RelayOutboxInput {
  /** The most events one transaction takes. */
  limit: number;
}

export interface RelayOutboxOutput {
  /** Events this call processed; each event is processed once, by one relay. */
  processed: number;
  /** Events that failed; each has an attempt counted and is retried on a later call. */
  failed: number;
  /** When each processed event happened (for the outbox lag). */
  occurredAt: Date[];
  /** Stored by this call and already handed to the live feed. */
  notifications: Notification[];
  /** Reminder times this call recorded, at most one per task. */
  reminders: ReminderChange[];
}

type Ports = Pick<
  NotificationsPorts,
  | 'outbox'
  | 'tasks'
  | 'notifications'
  | 'reminderStates'
  | 'reminderJobs'
  | 'live'
  | 'subscribers'
  | 'ids'
  | 'clock'
  | 'transactions'
  | 'failures'
  | 'tracing'
>;

type Dispatch = () => Promise<void>;

const EMPTY: RelayOutboxOutput = {
  processed: 0,
  failed: 0,
  occurredAt: [],
  notifications: [],
  reminders: [],
};

/**
 * Turns outbox events into notifications (and reminder times, and subscribers' records such as
 * webhook deliveries), once each. Claiming, storing and marking processed happen in one
 * transaction, so a crash anywhere leaves the event unprocessed and nothing of it stored;
 * publishing comes after the commit, so a crash there loses only the push (the inbox and a
 * resuming socket still have it; subscribers recover their own). Unique keys make a repeat a no-op.
 */
export class RelayOutbox {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: RelayOutboxInput): ResultAsync<RelayOutboxOutput, never> {
    return new ResultAsync(this.relay(input.limit));
  }

  private async relay(limit: number): Promise<Result<RelayOutboxOutput, never>> {
    // The spans of the batches that committed; the work after the commit continues them.
    const traces: EventTrace[] = [];
    // What subscribers run after the commits.
    const dispatches: Dispatch[] = [];
    let outcome: RelayOutboxOutput;
    try {
      outcome = await this.ports.transactions.run(() =>
        this.processClaimed(limit, traces, dispatches),
      );
    } catch (error) {
      this.ports.failures.report(error, { operation: 'outbox.relay' });
      for (const trace of traces.splice(0)) trace.end(error);
      dispatches.splice(0);
      outcome = await this.oneByOne(limit, traces, dispatches);
    }
    const [only] = traces;
    const after = () => this.afterCommit(outcome, dispatches);
    if (traces.length === 1 && only) await only.run(after);
    else await after();
    for (const trace of traces) trace.end();
    return ok(outcome);
  }

  /** Publishing and scheduling: what a crash here loses, the inbox and the reconciler recover. */
  private async afterCommit(outcome: RelayOutboxOutput, dispatches: Dispatch[]): Promise<void> {
    if (outcome.notifications.length > 0) {
      await this.ports.live
        .publish(outcome.notifications)
        .catch((error: unknown) =>
          this.ports.failures.report(error, { operation: 'live.publish' }),
        );
    }
    await this.syncReminderJobs(outcome.reminders).catch((error: unknown) =>
      this.ports.failures.report(error, { operation: 'reminders.schedule' }),
    );
    for (const dispatch of dispatches) {
      await dispatch().catch((error: unknown) =>
        this.ports.failures.report(error, { operation: 'subscribers.dispatch' }),
      );
    }
  }

  /**
   * After the commit, each changed task's job follows what PostgreSQL now holds (not this batch's
   * view: another relay may have recorded a newer change). What fails here, the reconciler redoes.
   */
  private async syncReminderJobs(changes: readonly ReminderChange[]): Promise<void> {
    if (changes.length === 0) return;
    const { reminderStates, reminderJobs } = this.ports;
    for (const state of await reminderStates.find(changes.map((change) => change.taskId))) {
      if (state.reminderAt === null || state.firedAt !== null)
        await reminderJobs.cancel(state.taskId);
      else await reminderJobs.schedule(state.taskId, state.reminderAt);
    }
  }

  private async processClaimed(
    limit: number,
    traces: EventTrace[],
    dispatches: Dispatch[],
    onlyIds?: string[],
  ): Promise<RelayOutboxOutput> {
    const events = await this.ports.outbox.claim(limit, onlyIds ? { onlyIds } : undefined);
    if (events.length === 0) return EMPTY;
    const trace = this.ports.tracing.start(events);
    try {
      const { outcome, dispatch } = await trace.run(() => this.process(events));
      traces.push(trace);
      dispatches.push(dispatch);
      return outcome;
    } catch (error) {
      trace.end(error);
      throw error;
    }
  }

  private async process(
    events: OutboxEvent[],
  ): Promise<{ outcome: RelayOutboxOutput; dispatch: Dispatch }> {
    const { outbox, reminderStates, notifications, subscribers, clock, ids } = this.ports;
    const now = clock.now();
    // Reminder rows before notification counters: every writer takes its locks in that order.
    const reminders = reminderChangesIn(events);
    await reminderStates.record(reminders);
    const drafts = await this.visibleOnly(
      events.flatMap((event) => notificationsFor(event, { nextId: () => ids.next(), now })),
    );
    const stored = await notifications.insertNew(drafts);
    const dispatch = await subscribers.record(subscribedEventsIn(events));
    await outbox.markProcessed(
      events.map((event) => event.id),
      now,
    );
    const outcome = {
      processed: events.length,
      failed: 0,
      occurredAt: events.map((event) => event.occurredAt),
      notifications: stored,
      reminders,
    };
    return { outcome, dispatch };
  }

  /**
   * The drafts whose recipient may see the task now, not only when the event was written: someone
   * removed from the task's project (or unassigned from an Inbox task) meanwhile hears no more of
   * it, in the inbox or on a socket. One question per task of the batch.
   */
  private async visibleOnly(drafts: NotificationDraft[]): Promise<NotificationDraft[]> {
    const byTask = new Map<string, Set<string>>();
    for (const draft of drafts) {
      if (draft.taskId === null) continue;
      const users = byTask.get(draft.taskId) ?? new Set<string>();
      users.add(draft.userId);
      byTask.set(draft.taskId, users);
    }
    const seeing = new Map<string, Set<string>>();
    for (const [taskId, users] of byTask) {
      seeing.set(taskId, new Set(await this.ports.tasks.whoCanSee(taskId, [...users])));
    }
    return drafts.filter(
      (draft) => draft.taskId === null || seeing.get(draft.taskId)?.has(draft.userId) === true,
    );
  }

  /** After a failed batch: each event alone, so one bad event cannot hold back the others. */
  private async oneByOne(
    limit: number,
    traces: EventTrace[],
    dispatches: Dispatch[],
  ): Promise<RelayOutboxOutput> {
    const pending = await this.ports.outbox.peek(limit);
    const outcome: RelayOutboxOutput = {
      ...EMPTY,
      occurredAt: [],
      notifications: [],
      reminders: [],
    };
    for (const id of pending) {
      try {
        const one = await this.ports.transactions.run(() =>
          this.processClaimed(1, traces, dispatches, [id]),
        );
        outcome.processed += one.processed;
        outcome.occurredAt.push(...one.occurredAt);
        outcome.notifications.push(...one.notifications);
        outcome.reminders.push(...one.reminders);
      } catch (error) {
        this.ports.failures.report(error, { operation: 'outbox.relay.event' });
        await this.ports.outbox.recordFailure(id);
        outcome.failed += 1;
      }
    }
    return outcome;
  }
}
