/** Entities as types only: the retention job deletes old deliveries, typed. */
export type { WebhooksTables } from './adapters/persistence/webhooks.entities.ts';
/** The webhooks module as other modules see it: what the events they handle may become. */
export type { RecordEventDeliveries } from './application/record-event-deliveries.ts';
export type { WebhookEvent } from './application/ports.ts';
export { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './domain/webhook.ts';
