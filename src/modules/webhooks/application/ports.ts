import type { Clock } from '../../../shared/domain/clock.ts';
import type { FailureReporter } from '../../../shared/domain/failure-reporter.ts';
import type { IdGenerator } from '../../../shared/domain/id-generator.ts';
import type { TransactionRunner } from '../../../shared/domain/transaction-runner.ts';
import type { Delivery, DeliveryStatus } from '../domain/delivery.ts';
import type { UrlRules, Webhook, WebhookEventType } from '../domain/webhook.ts';

// ---- The transport: implemented in adapters/delivery (signing sender, queue, slots, retries) ----

/** One attempt to send a delivery to a receiver. */
export interface OutgoingWebhook {
  url: string;
  /** `webhook-id`: the delivery's stable id (a redelivery keeps it). */
  messageId: string;
  /** `webhook-timestamp`, seconds since the epoch, of this attempt. */
  timestamp: Date;
  /** The exact JSON text sent and signed. */
  body: string;
  /** Every secret to sign with (`whsec_…`): the current one first, then a rotated one still valid. */
  secrets: readonly string[];
}

export type SendOutcome =
  | { kind: 'delivered'; statusCode: number; durationMs: number }
  /** The receiver answered with a non-2xx status (3xx included: redirects are never followed). */
  | { kind: 'rejected'; statusCode: number; durationMs: number; error: string }
  /** No answer: DNS failure, connection refused/reset, TLS error, timeout. */
  | { kind: 'unreachable'; durationMs: number; error: string }
  /** Refused before connecting: the URL or an address it resolves to is not allowed. */
  | { kind: 'refused'; error: string };

export interface WebhookSender {
  send(webhook: OutgoingWebhook): Promise<SendOutcome>;
}

/** URL rules at creation time (scheme, host form); the sender re-checks resolved addresses. */
export interface WebhookUrlPolicy {
  /** undefined when allowed, else a human-readable reason (goes into a 400 errors[] message). */
  check(url: string): Promise<string | undefined>;
}

/** The queue of delivery attempts (BullMQ). */
export interface DeliveryQueue {
  /**
   * Schedules an attempt; idempotent per (deliveryId, attempt) while its job is still to run. A
   * finished job of that attempt is replaced (the worker skips an attempt no longer next).
   */
  enqueue(deliveryId: string, attempt: number, delayMs: number): Promise<void>;
  /** As `enqueue` with no delay, and a job of that attempt that is delayed runs now. */
  enqueueNow(deliveryId: string, attempt: number): Promise<void>;
  /** Ids of deliveries that have a waiting/delayed/active job (for the reconciler). */
  scheduled(deliveryIds: readonly string[]): Promise<Set<string>>;
}

/** At most N concurrent deliveries per webhook, across processes. */
export interface EndpointSlots {
  /** A release function when a slot was (or, while the adapter waits, became) free; else undefined. */
  acquire(webhookId: string): Promise<(() => Promise<void>) | undefined>;
}

/** Backoff: ms to wait before attempt number `attempt` (2 = first retry); undefined: give up. */
export type RetrySchedule = (attempt: number) => number | undefined;

// ---- This module's own ports ----

/** New signing secrets: `whsec_` + base64 of 32 random bytes. */
export interface WebhookSecrets {
  generate(): string;
}

export interface WebhookRepository {
  /**
   * Stores the webhook unless its owner has `max` already (checked under a per-user lock, so
   * concurrent creations cannot pass it together). Resolves whether it was stored.
   */
  insertWithin(webhook: Webhook, max: number): Promise<boolean>;
  /** The user's webhooks, oldest first. */
  listOf(userId: string): Promise<Webhook[]>;
  /** The user's webhook `webhookId`; undefined for anyone else's. */
  findOf(
    userId: string,
    webhookId: string,
    options?: { forUpdate?: boolean },
  ): Promise<Webhook | undefined>;
  findById(webhookId: string): Promise<Webhook | undefined>;
  /** Writes every field of the webhook as given. */
  save(webhook: Webhook): Promise<void>;
  /** Resolves false when the user has no such webhook. Its deliveries go with it. */
  delete(userId: string, webhookId: string): Promise<boolean>;
  /** Active webhooks of these users that want `type`. */
  subscribedTo(userIds: readonly string[], type: WebhookEventType): Promise<Webhook[]>;
  /** A delivery used up its attempts: counts it, resolving the count of such in a row. */
  countFailedDelivery(webhookId: string): Promise<number>;
  /** A delivery arrived: the receiver works, the count of failures in a row starts again. */
  resetFailures(webhookId: string): Promise<void>;
  /** Switches an active webhook off with `reason`; resolves false when it was not active. */
  disable(webhookId: string, reason: string, at: Date): Promise<boolean>;
}

export interface DeliveryPage {
  webhookId: string;
  status?: DeliveryStatus;
  limit: number;
  /** Only deliveries older than this one (the keyset cursor: ids are time-ordered). */
  beforeId?: string;
}

export interface AttemptRecord {
  status: DeliveryStatus;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: Date;
  nextAttemptAt: Date | null;
  durationMs: number | null;
}

export interface DeliveryRepository {
  /** Stores the deliveries not stored yet (same webhook and event); resolves the stored ones. */
  insertNew(deliveries: readonly Delivery[]): Promise<Delivery[]>;
  find(deliveryId: string): Promise<Delivery | undefined>;
  /** The webhook's deliveries, newest first; `hasMore` tells whether older ones match. */
  list(page: DeliveryPage): Promise<{ items: Delivery[]; hasMore: boolean }>;
  /**
   * Records attempt number `attempt` if the delivery is still pending at `attempt - 1` attempts
   * (so a duplicated or stale job records nothing). Resolves whether it was recorded.
   */
  recordAttempt(deliveryId: string, attempt: number, record: AttemptRecord): Promise<boolean>;
  /** Gives a pending delivery up without an attempt (nothing was sent). */
  fail(deliveryId: string, error: string, at: Date): Promise<boolean>;
  /** Pending again, a fresh series of attempts from now; undefined when not the webhook's. */
  redeliver(webhookId: string, deliveryId: string, at: Date): Promise<Delivery | undefined>;
  /** Pending deliveries after `afterId`, by id. */
  pending(limit: number, afterId?: string): Promise<Delivery[]>;
}

/** An event a webhook may report, as the notifications module records it. */
export interface WebhookEvent {
  /** The event's id (the outbox event's, or the reminder's). */
  id: string;
  type: WebhookEventType;
  taskId: string | null;
  /** The project the event happened in (a task event's: the task's project then). */
  projectId: string | null;
  actorId: string | null;
  /** The notification's details (`title`, ...), as the inbox shows them. */
  data: Readonly<Record<string, unknown>>;
  occurredAt: Date;
  /** Whom the tasks module named for it (its notification recipients). */
  recipients: readonly string[];
}

/** What a delivery reports, as the audience re-checks it before each attempt. */
export interface ReportedEvent {
  type: WebhookEventType;
  taskId: string | null;
  projectId: string | null;
  actorId: string | null;
  data: Readonly<Record<string, unknown>>;
}

/**
 * Who may see an event, by the tasks module's rules, asked when the relay hands the event over
 * and again before each attempt: a user removed from a project stops hearing of it at once.
 */
export interface EventAudience {
  /** The users who may see the event now (its actor included). */
  whoMaySee(event: WebhookEvent): Promise<string[]>;
  /** Whether `userId` may still see what a delivery reports. */
  stillEntitled(userId: string, event: ReportedEvent): Promise<boolean>;
  /** Whether `userId` is a member of the live project `projectId`. */
  isMember(projectId: string, userId: string): Promise<boolean>;
}

/** Tells a webhook's owner about it through the notifications module. */
export interface OwnerAlerts {
  /**
   * Inside the current transaction: stores the owner's `webhook.disabled` notification. Resolves
   * what to run after the commit (pushing it to the owner's open sockets).
   */
  webhookDisabled(input: {
    userId: string;
    webhookId: string;
    url: string;
    reason: string;
    at: Date;
  }): Promise<() => Promise<void>>;
}

export interface WebhookSettings extends UrlRules {
  /** How long to wait before trying again when every slot of the endpoint is busy. */
  busyRetryMs: number;
}

/** Every port of the webhooks module; each use case takes the subset it names (`Pick`). */
export interface WebhooksPorts {
  webhooks: WebhookRepository;
  deliveries: DeliveryRepository;
  secrets: WebhookSecrets;
  urlPolicy: WebhookUrlPolicy;
  sender: WebhookSender;
  queue: DeliveryQueue;
  slots: EndpointSlots;
  retrySchedule: RetrySchedule;
  audience: EventAudience;
  alerts: OwnerAlerts;
  settings: WebhookSettings;
  ids: IdGenerator;
  clock: Clock;
  transactions: TransactionRunner;
  failures: FailureReporter;
}
