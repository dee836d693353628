import { defineEntity, p } from '@mikro-orm/core';
import type { InferKyselyDB } from '@mikro-orm/postgresql';
import { DELIVERY_STATUSES, type DeliveryPayload } from '../../domain/delivery.ts';
import { DELIVERY_TYPES } from '../../domain/webhook.ts';

const inList = (column: string, values: readonly string[]) =>
  `${column} in (${values.map((value) => `'${value}'`).join(', ')})`;

/**
 * Webhooks and their deliveries, as the migration creates them. `user_id` references identity's
 * `users` and `project_id` the tasks module's `projects` (both kept by the migration, see
 * `schema-differences.ts`). The secrets are stored as they
 * are: an HMAC key must be known to sign, so unlike passwords they cannot be hashed.
 */
export const WebhookRecord = defineEntity({
  name: 'WebhookRecord',
  tableName: 'webhooks',
  properties: {
    id: p.uuid().primary(),
    userId: p.uuid(),
    url: p.text(),
    events: p.array().columnType('text[]'),
    projectId: p.uuid().nullable(),
    active: p.boolean(),
    disabledReason: p.text().nullable(),
    secret: p.text(),
    previousSecret: p.text().nullable(),
    previousSecretExpiresAt: p.datetime().columnType('timestamptz').nullable(),
    consecutiveFailures: p.integer().default(0),
    createdAt: p.datetime().columnType('timestamptz'),
    updatedAt: p.datetime().columnType('timestamptz'),
  },
  checks: [
    {
      name: 'webhooks_consecutive_failures_check',
      expression: 'consecutive_failures >= 0',
    },
  ],
  // A user's webhooks, in creation order (ids are time-ordered).
  indexes: [{ name: 'webhooks_user', properties: ['userId', 'id'] }],
});

export const WebhookDeliveryRecord = defineEntity({
  name: 'WebhookDeliveryRecord',
  tableName: 'webhook_deliveries',
  properties: {
    id: p.uuid().primary(),
    webhookId: p
      .manyToOne(WebhookRecord)
      .mapToPk()
      .fieldName('webhook_id')
      .foreignKeyName('webhook_deliveries_webhook_id_fkey')
      .deleteRule('cascade')
      .updateRule('no action'),
    eventId: p.uuid(),
    type: p.text(),
    payload: p.json<DeliveryPayload>(),
    status: p.text(),
    attempts: p.integer().default(0),
    attemptOffset: p.integer().default(0),
    lastStatusCode: p.integer().nullable(),
    lastError: p.text().nullable(),
    lastAttemptAt: p.datetime().columnType('timestamptz').nullable(),
    nextAttemptAt: p.datetime().columnType('timestamptz').nullable(),
    durationMs: p.integer().nullable(),
    createdAt: p.datetime().columnType('timestamptz'),
  },
  checks: [
    { name: 'webhook_deliveries_status_check', expression: inList('status', DELIVERY_STATUSES) },
    { name: 'webhook_deliveries_type_check', expression: inList('type', DELIVERY_TYPES) },
    {
      name: 'webhook_deliveries_attempts_check',
      expression: 'attempt_offset >= 0 and attempts >= attempt_offset',
    },
  ],
  uniques: [
    // One delivery per event and webhook: a relayed-twice event is a no-op.
    { name: 'webhook_deliveries_webhook_event', properties: ['webhookId', 'eventId'] },
  ],
  indexes: [
    // The deliveries page, newest first (ids are time-ordered), with and without a status.
    { name: 'webhook_deliveries_webhook', properties: ['webhookId', 'id'] },
    { name: 'webhook_deliveries_webhook_status', properties: ['webhookId', 'status', 'id'] },
    // The reconciler walks the pending ones.
    {
      name: 'webhook_deliveries_pending',
      properties: ['id'],
      where: "status = 'pending'",
    },
    // Retention: finished deliveries past their time.
    {
      name: 'webhook_deliveries_finished',
      properties: ['createdAt'],
      where: "status <> 'pending'",
    },
  ],
});

export const webhooksEntities = [WebhookRecord, WebhookDeliveryRecord];

/** The webhooks tables as typed Kysely sees them. */
export type WebhooksTables = InferKyselyDB<(typeof webhooksEntities)[number]>;
