import { z } from '@hono/zod-openapi';
import { DELIVERY_STATUSES, type Delivery } from '../../domain/delivery.ts';
import {
  ALL_EVENTS,
  DELIVERY_TYPES,
  eventsProblem,
  MAX_URL_LENGTH,
  WEBHOOK_EVENT_TYPES,
  type Webhook,
} from '../../domain/webhook.ts';

const ID = '0193a1f2-8b7c-7d4e-9f00-1a2b3c4d5e6f';
const TIME = '2026-11-22T10:00:00.000Z';
const id = () => z.uuid().openapi({ example: ID });
const time = () => z.iso.datetime().openapi({ example: TIME });

const Subscription = z.enum([...WEBHOOK_EVENT_TYPES, ALL_EVENTS]);

const urlField = () =>
  z
    .string()
    .min(1)
    .max(MAX_URL_LENGTH)
    .openapi({
      description:
        'Where deliveries are POSTed: an absolute `https` URL without credentials or fragment, ' +
        'resolving to public addresses (`http` and private addresses only where the server runs ' +
        'with WEBHOOK_ALLOW_PRIVATE=true, for local use).',
      example: 'https://hooks.example.com/tasks',
    });

const eventsField = () =>
  z
    .array(Subscription)
    .min(1)
    .max(WEBHOOK_EVENT_TYPES.length)
    .superRefine((events, ctx) => {
      const problem = eventsProblem(events);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    })
    .openapi({
      uniqueItems: true,
      description:
        'The event types to deliver, each once, or `["*"]` for every type (types added later ' +
        'included).',
      example: ['task.assigned', 'task.status_changed'],
    });

const PROJECT_SCOPE =
  'Only this project’s events when set; null: the events of every project the owner can see. ' +
  'Fixed at creation (PATCH cannot change it; create another webhook for another scope). ' +
  'Whatever the scope, an event is delivered only while the owner may see it: a task event ' +
  'while the owner can see the task, a membership event while the owner is a member of the ' +
  'project or the one who joined or left, `project.invited` to the invitee and the inviter. ' +
  'This is checked when the event is relayed and again before each attempt, so someone removed ' +
  'from a project stops receiving its events at once.';

export const WebhookSchema = z
  .object({
    id: id(),
    url: z.string().openapi({ example: 'https://hooks.example.com/tasks' }),
    events: z.array(Subscription),
    project_id: id().nullable().openapi({ description: PROJECT_SCOPE }),
    active: z.boolean(),
    disabled_reason: z
      .string()
      .nullable()
      .openapi({
        description:
          'Why the service switched the webhook off (its deliveries kept failing); null when ' +
          'active or paused by its owner. `PATCH {"active": true}` clears it.',
      }),
    created_at: time(),
    updated_at: time(),
  })
  .openapi('Webhook');

const secretField = () =>
  z.string().openapi({
    description:
      'The signing secret (`whsec_` + base64 of 32 bytes), shown only in this answer. Verify ' +
      'each delivery’s `webhook-signature` with it (Standard Webhooks).',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  });

export const CreatedWebhookSchema = WebhookSchema.extend({ secret: secretField() }).openapi(
  'CreatedWebhook',
);

export const RotatedSecretSchema = z
  .object({
    secret: secretField(),
    previous_secret_expires_at: time().openapi({
      description: 'Until then deliveries are signed with the old secret too.',
    }),
  })
  .openapi('RotatedWebhookSecret');

export const WebhookListSchema = z.object({ items: z.array(WebhookSchema) }).openapi('WebhookList');

export const CreateWebhookBody = z.object({
  url: urlField(),
  events: eventsField(),
  project_id: id()
    .optional()
    .openapi({
      description:
        'Scope the webhook to this project: a live project the caller is a member of (else 404). ' +
        PROJECT_SCOPE,
    }),
  active: z.boolean().default(true),
});

/** The project scope is not here: it is fixed at creation. */
export const UpdateWebhookBody = z.object({
  url: urlField().optional(),
  events: eventsField().optional(),
  active: z
    .boolean()
    .optional()
    .openapi({
      description:
        '`false` pauses deliveries; `true` resumes them and clears `disabled_reason` and the ' +
        'count of failed deliveries.',
    }),
});

export const WebhookDeliverySchema = z
  .object({
    id: id().openapi({ description: 'Sent as `webhook-id`; a redelivery keeps it.' }),
    event_id: id(),
    type: z.enum(DELIVERY_TYPES as [string, ...string[]]),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int().min(0).openapi({
      description: 'Every attempt made, redeliveries included.',
    }),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    last_attempt_at: time().nullable(),
    next_attempt_at: time().nullable(),
    duration_ms: z.number().int().nullable(),
    created_at: time(),
  })
  .openapi('WebhookDelivery');

export const WebhookDeliveryListSchema = z
  .object({
    items: z.array(WebhookDeliverySchema),
    next_cursor: z
      .string()
      .nullable()
      .openapi({ description: 'Pass as `cursor` for the next (older) page; null at the end.' }),
  })
  .openapi('WebhookDeliveryList');

export const ListDeliveriesQuery = z.object({
  status: z.enum(DELIVERY_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: '`next_cursor` of the previous page.' }),
});

export const WebhookIdParam = z.object({
  webhook_id: z.uuid().openapi({ param: { name: 'webhook_id', in: 'path' }, example: ID }),
});

export const DeliveryIdParams = WebhookIdParam.extend({
  delivery_id: z.uuid().openapi({ param: { name: 'delivery_id', in: 'path' }, example: ID }),
});

export type WebhookJson = z.infer<typeof WebhookSchema>;

export function toWebhookJson(webhook: Webhook): WebhookJson {
  return {
    id: webhook.id,
    url: webhook.url,
    events: webhook.events,
    project_id: webhook.projectId,
    active: webhook.active,
    disabled_reason: webhook.disabledReason,
    created_at: webhook.createdAt.toISOString(),
    updated_at: webhook.updatedAt.toISOString(),
  };
}

export function toDeliveryJson(delivery: Delivery): z.infer<typeof WebhookDeliverySchema> {
  return {
    id: delivery.id,
    event_id: delivery.eventId,
    type: delivery.type,
    status: delivery.status,
    attempts: delivery.attempts,
    last_status_code: delivery.lastStatusCode,
    last_error: delivery.lastError,
    last_attempt_at: delivery.lastAttemptAt?.toISOString() ?? null,
    next_attempt_at: delivery.nextAttemptAt?.toISOString() ?? null,
    duration_ms: delivery.durationMs,
    created_at: delivery.createdAt.toISOString(),
  };
}
