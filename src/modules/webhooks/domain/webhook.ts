import { NO_CONTROL_CHARACTERS } from '../../../shared/domain/text.ts';

/**
 * What a webhook may subscribe to: the notification types an automation can act on. The
 * notifications module's list is the source (a compile-time check in the webhooks wiring keeps
 * this a subset of it); `webhook.disabled` is told to the owner, never to the failing receiver.
 */
export const WEBHOOK_EVENT_TYPES = [
  'task.assigned',
  'task.status_changed',
  'task.commented',
  'task.due_soon',
  'project.invited',
  'project.member_added',
  'project.member_removed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Subscribes to every type in `WEBHOOK_EVENT_TYPES`, including ones added later. */
export const ALL_EVENTS = '*';
export type WebhookSubscription = WebhookEventType | typeof ALL_EVENTS;

/** The type of the delivery `POST /webhooks/{id}/ping` sends. */
export const PING_TYPE = 'webhook.ping';
export type DeliveryType = WebhookEventType | typeof PING_TYPE;
export const DELIVERY_TYPES: readonly DeliveryType[] = [...WEBHOOK_EVENT_TYPES, PING_TYPE];

export const MAX_WEBHOOKS_PER_USER = 10;
export const MAX_URL_LENGTH = 2048;
/** How long a rotated-out secret still signs deliveries, so receivers can switch over. */
export const PREVIOUS_SECRET_VALIDITY_MS = 24 * 60 * 60 * 1000;
/**
 * A receiver is disabled after this many deliveries in a row used up every attempt (roughly a day
 * of retries each). A delivery that succeeds resets the count; deliveries given up for reasons
 * that are not the receiver's (the owner lost access, the webhook was switched off) do not count.
 */
export const DISABLE_AFTER_FAILED_DELIVERIES = 5;

export interface Webhook {
  id: string;
  userId: string;
  url: string;
  events: WebhookSubscription[];
  /**
   * Only this project's events when set (a live project the owner was a member of at creation;
   * fixed for the webhook's life). Null: the events of every project the owner can see.
   */
  projectId: string | null;
  active: boolean;
  /** Why the service switched it off; null when active or switched off by its owner. */
  disabledReason: string | null;
  /** `whsec_…`: kept as it is, since signing needs the key itself. */
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  /** Deliveries in a row that used up every attempt. */
  consecutiveFailures: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Whether the webhook wants events of `type` (a ping always goes out). */
export function subscribes(webhook: Pick<Webhook, 'events'>, type: DeliveryType): boolean {
  if (type === PING_TYPE) return true;
  return webhook.events.some((event) => event === ALL_EVENTS || event === type);
}

/** Whether the webhook's project scope lets through an event of project `projectId`. */
export function coversProject(
  webhook: Pick<Webhook, 'projectId'>,
  projectId: string | null,
): boolean {
  return webhook.projectId === null || webhook.projectId === projectId;
}

/** The secrets a delivery is signed with now: the current one, then a rotated one still valid. */
export function signingSecrets(
  webhook: Pick<Webhook, 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>,
  now: Date,
): string[] {
  const previousValid =
    webhook.previousSecret !== null &&
    webhook.previousSecretExpiresAt !== null &&
    webhook.previousSecretExpiresAt.getTime() > now.getTime();
  return previousValid ? [webhook.secret, webhook.previousSecret!] : [webhook.secret];
}

/** The webhook with a new secret; the one it replaces stays valid for a day. */
export function rotateSecret(webhook: Webhook, secret: string, now: Date): Webhook {
  return {
    ...webhook,
    secret,
    previousSecret: webhook.secret,
    previousSecretExpiresAt: new Date(now.getTime() + PREVIOUS_SECRET_VALIDITY_MS),
    updatedAt: now,
  };
}

export interface UrlRules {
  /** WEBHOOK_ALLOW_PRIVATE: plain `http` is accepted too (local use and tests). */
  allowPrivate: boolean;
}

/** Why `url` cannot be a webhook's address (scheme, form, length), or undefined when it can. */
export function urlProblem(url: string, rules: UrlRules): string | undefined {
  if (url.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  if (!NO_CONTROL_CHARACTERS.test(url)) return 'must not contain control characters';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute URL';
  }
  const schemes = rules.allowPrivate ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(parsed.protocol)) {
    return rules.allowPrivate ? 'must use https or http' : 'must use https';
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return 'must not contain credentials';
  }
  if (parsed.hash !== '') return 'must not contain a fragment';
  return undefined;
}

/** Why `events` cannot be a subscription, or undefined when it can. */
export function eventsProblem(events: readonly string[]): string | undefined {
  if (events.length === 0) return 'must name at least one event type, or "*"';
  if (new Set(events).size !== events.length) return 'must not repeat an event type';
  if (events.includes(ALL_EVENTS) && events.length > 1) return '"*" must be the only entry';
  return undefined;
}
