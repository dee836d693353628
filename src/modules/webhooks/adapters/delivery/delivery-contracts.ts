// The delivery ports of the webhooks module, shape for shape, so these adapters build and test
// on their own; application/ports.ts declares the same interfaces.

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
  /** Schedules an attempt; idempotent per (deliveryId, attempt). */
  enqueue(deliveryId: string, attempt: number, delayMs: number): Promise<void>;
  /** Ids of deliveries that have a waiting/delayed/active job (for the reconciler). */
  scheduled(deliveryIds: readonly string[]): Promise<Set<string>>;
}

/** At most N concurrent deliveries per webhook, across processes. */
export interface EndpointSlots {
  /** A release function when a slot was free, undefined when all N are taken. */
  acquire(webhookId: string): Promise<(() => Promise<void>) | undefined>;
}

/** Backoff: ms to wait before attempt number `attempt` (2 = first retry); undefined: give up. */
export type RetrySchedule = (attempt: number) => number | undefined;
