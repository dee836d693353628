import type { Clock } from '../../../shared/domain/clock.ts';
import type { FailureReporter } from '../../../shared/domain/failure-reporter.ts';
import type { IdGenerator } from '../../../shared/domain/id-generator.ts';
import type { TransactionRunner } from '../../../shared/domain/transaction-runner.ts';
import type { LiveSessionCheck, SessionPrincipal } from '../../identity/index.ts';
import type { WorkEvent } from '../../tasks/index.ts';
import type {
  Notification,
  NotificationData,
  NotificationDraft,
  NotificationType,
} from '../domain/notification.ts';

export type { SessionPrincipal };

/** An event of the tasks module's outbox (a task's or a project's), with the id of its row. */
export type OutboxEvent = WorkEvent & {
  id: string;
  /** Where the event was written from, for tracing (W3C trace-context fields); opaque here. */
  traceContext?: Readonly<Record<string, string>>;
};

/** A span continuing the traces of the events it covers; does nothing without tracing. */
export interface EventTrace {
  run<T>(work: () => Promise<T>): Promise<T>;
  end(error?: unknown): void;
}

/** Ties the work events cause to the traces of the requests that wrote them. */
export interface EventTracing {
  /** Starts the span of one relayed batch: the writers' span's child, or linked to several. */
  start(events: readonly OutboxEvent[]): EventTrace;
}

/** The outbox rows the relay works through. */
export interface OutboxSource {
  /**
   * Inside the current transaction: up to `limit` unprocessed events, oldest first, locked so that
   * concurrent relays claim disjoint sets (`FOR UPDATE SKIP LOCKED`). Only event types this
   * version knows; events that failed `maxAttempts` times are left for an operator.
   * `onlyIds` narrows the claim to those rows.
   */
  claim(limit: number, options?: { onlyIds?: readonly string[] }): Promise<OutboxEvent[]>;
  /** The ids `claim` would take now, without locking them. */
  peek(limit: number): Promise<string[]>;
  markProcessed(ids: readonly string[], at: Date): Promise<void>;
  /** Counts a failed attempt at an event, outside any transaction that failed with it. */
  recordFailure(id: string): Promise<void>;
}

/** A task's reminder time as the last outbox event said it: `null` means none. */
export interface ReminderChange {
  taskId: string;
  reminderAt: Date | null;
  /** Owner and assignee then: users who can read the task when the reminder fires. */
  recipients: string[];
  /** When the change happened; an older change never overwrites a newer one. */
  changedAt: Date;
}

export interface PendingReminder {
  taskId: string;
  reminderAt: Date;
}

export interface ReminderState {
  taskId: string;
  reminderAt: Date | null;
  recipients: string[];
  /** Set once `task.due_soon` went out for `reminderAt`; a new time clears it. */
  firedAt: Date | null;
}

/** The reminder time of each task, kept by the relay so reminders survive a Redis that lost them. */
export interface ReminderStates {
  /** Inside the current transaction. A changed time is pending again (not fired). */
  record(changes: readonly ReminderChange[]): Promise<void>;
  find(taskIds: readonly string[]): Promise<ReminderState[]>;
  /** Marks the reminder fired, if `reminderAt` is still the task's recorded time. */
  markFired(taskId: string, reminderAt: Date, at: Date): Promise<void>;
  /** Unfired reminders due by `until`, soonest first (then by task), continuing after `after`. */
  pending(until: Date, limit: number, after?: PendingReminder): Promise<PendingReminder[]>;
}

/** One delayed job per task that fires its reminder; a task's later change moves or drops it. */
export interface ReminderJobs {
  /** Creates the task's job for `at`, or moves the existing one there. Idempotent. */
  schedule(taskId: string, at: Date): Promise<void>;
  cancel(taskId: string): Promise<void>;
}

/** A task as the tasks module shows it to one of its users. */
export interface TaskSnapshot {
  id: string;
  projectId: string;
  ownerId: string;
  assigneeId: string | null;
  title: string;
  status: 'pending' | 'in_progress' | 'completed';
  dueDate: Date | null;
  remindAt: Date | null;
  deletedAt: Date | null;
}

export interface TaskReader {
  /** The live task if `userId` may see it; undefined when it is deleted or not theirs. */
  visibleTo(taskId: string, userId: string): Promise<TaskSnapshot | undefined>;
  /** Those of `userIds` who may see the task now (none once it is deleted). */
  whoCanSee(taskId: string, userIds: readonly string[]): Promise<string[]>;
}

export interface ReminderSettings {
  /** REMINDER_LEAD_MINUTES: how long before the due date a task without `remind_at` reminds. */
  leadMinutes: number;
}

export interface InboxQuery {
  userId: string;
  unreadOnly: boolean;
  limit: number;
  /** Only notifications numbered below this (the keyset cursor). */
  beforeSeq?: number;
}

export interface NotificationRepository {
  /**
   * Stores the drafts that are not stored yet (same source and user), numbering each user's new
   * notifications with that user's next sequence numbers; drafts for users that no longer exist
   * are dropped. Resolves the stored ones. Inside the current transaction.
   */
  insertNew(drafts: readonly NotificationDraft[]): Promise<Notification[]>;
  /** Newest first (highest `seq`); `hasMore` tells whether any older match follows. */
  list(query: InboxQuery): Promise<{ items: Notification[]; hasMore: boolean }>;
  /** Resolves `false` when the user has no such notification. Keeps an earlier `read_at`. */
  markRead(userId: string, notificationId: string, at: Date): Promise<boolean>;
  markAllRead(userId: string, at: Date): Promise<void>;
  /** The number of the user's notification `notificationId`; undefined for anyone else's. */
  seqOf(userId: string, notificationId: string): Promise<number | undefined>;
  /** The user's highest number so far (0 before the first notification). */
  latestSeq(userId: string): Promise<number>;
  /** The user's notifications numbered above `afterSeq`, oldest first. */
  listAfter(userId: string, afterSeq: number, limit: number): Promise<Notification[]>;
}

/** The identity module's verdict on a session, asked again while a socket stays open. */
export type LiveSessions = LiveSessionCheck;

/** Single-use, short-lived tickets for browsers, which cannot set headers on a WebSocket. */
export interface WsTickets {
  issue(principal: SessionPrincipal, ttlSeconds: number): Promise<string>;
  /** The ticket's principal, at most once: a second redeem of the same ticket finds nothing. */
  redeem(ticket: string): Promise<SessionPrincipal | undefined>;
}

/** Pushes stored notifications towards the recipients' open sockets, on every instance. */
export interface LiveFeed {
  publish(notifications: readonly Notification[]): Promise<void>;
}

/** An event as other modules may subscribe to it: what its notification says, and to whom. */
export interface SubscribedEvent {
  /** The outbox event's id; for a reminder, an id drawn once when it fires. */
  id: string;
  type: NotificationType;
  taskId: string | null;
  /** The project it happened in (a task event's: the task's project then). */
  projectId: string | null;
  /** Who caused it; null for a reminder. */
  actorId: string | null;
  /** The notification's details, as the inbox shows them. */
  data: NotificationData;
  occurredAt: Date;
  /** The users the tasks module named for it (the actor excluded, as for notifications). */
  recipients: readonly string[];
}

/**
 * Other modules' records of the events the relay and the reminder job handle (webhook
 * deliveries), written in the same transaction that marks an event handled, so none is lost or
 * written twice.
 */
export interface EventSubscribers {
  /** Inside the current transaction; resolves the work to run after the commit. */
  record(events: readonly SubscribedEvent[]): Promise<() => Promise<void>>;
}

/** Every port of the notifications module; each use case takes the subset it names (`Pick`). */
export interface NotificationsPorts {
  outbox: OutboxSource;
  notifications: NotificationRepository;
  reminderStates: ReminderStates;
  live: LiveFeed;
  subscribers: EventSubscribers;
  liveSessions: LiveSessions;
  tracing: EventTracing;
  tickets: WsTickets;
  reminderJobs: ReminderJobs;
  tasks: TaskReader;
  reminders: ReminderSettings;
  ids: IdGenerator;
  clock: Clock;
  transactions: TransactionRunner;
  failures: FailureReporter;
}
