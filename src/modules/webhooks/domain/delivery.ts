import type { DeliveryType } from './webhook.ts';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** The JSON body a delivery sends (Standard Webhooks style), fixed when the delivery is written. */
export interface DeliveryPayload {
  type: DeliveryType;
  /** When the event happened (RFC 3339). */
  timestamp: string;
  /** The notification-style view of the event; `id` is the event's id. */
  data: {
    id: string;
    type: DeliveryType;
    task_id: string | null;
    project_id: string | null;
    actor_id: string | null;
    data: Readonly<Record<string, unknown>>;
    created_at: string;
  };
}

export interface Delivery {
  id: string;
  webhookId: string;
  /** The event it reports; unique per webhook, so a repeated event is not sent twice. */
  eventId: string;
  type: DeliveryType;
  payload: DeliveryPayload;
  status: DeliveryStatus;
  /** Every attempt made, redeliveries included. */
  attempts: number;
  /**
   * Attempts made before the last redelivery: a redelivery starts a fresh series of retries
   * while `attempts` keeps counting (so each attempt has its own number for the queue).
   */
  attemptOffset: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date | null;
  durationMs: number | null;
  createdAt: Date;
}

/** The number of the next attempt within the current series (1 for the first try). */
export const attemptInSeries = (delivery: Pick<Delivery, 'attempts' | 'attemptOffset'>) =>
  delivery.attempts - delivery.attemptOffset + 1;

/** Longest `last_error` kept: receivers' messages are theirs, and unbounded. */
export const MAX_ERROR_LENGTH = 500;

export const clipError = (error: string) =>
  error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH - 1)}…` : error;
