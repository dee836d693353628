import { createRoute } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { Result } from 'neverthrow';
import type { AuthEnv } from '../../../../shared/http/bearer-auth.ts';
import { checkFields, createRouter, type FieldCheck } from '../../../../shared/http/create-app.ts';
import {
  BEARER_SECURITY,
  errorResponses,
  jsonBody,
  jsonResponse,
  LOCATION_HEADER,
} from '../../../../shared/http/openapi.ts';
import { valueOr } from '../../../../shared/http/problem.ts';
import type { WebhookError } from '../../domain/webhook.errors.ts';
import {
  DISABLE_AFTER_FAILED_DELIVERIES,
  MAX_WEBHOOKS_PER_USER,
  urlProblem,
  type UrlRules,
} from '../../domain/webhook.ts';
import type { WebhooksUseCases } from '../../webhooks.use-cases.ts';
import { webhookProblem } from './webhooks.problems.ts';
import {
  CreatedWebhookSchema,
  CreateWebhookBody,
  DeliveryIdParams,
  ListDeliveriesQuery,
  RotatedSecretSchema,
  toDeliveryJson,
  toWebhookJson,
  UpdateWebhookBody,
  WebhookDeliveryListSchema,
  WebhookDeliverySchema,
  WebhookIdParam,
  WebhookListSchema,
  WebhookSchema,
} from './webhooks.schemas.ts';

export interface WebhooksHttpOptions {
  useCases: WebhooksUseCases;
  /** Bearer authentication plus the per-user rate limit. */
  requireAuth: MiddlewareHandler<AuthEnv>;
  urlRules: UrlRules;
}

const tags = ['Webhooks'];
const actorOf = (c: Context<AuthEnv>) => ({ userId: c.get('principal').userId });
const orProblem = <T>(result: Result<T, WebhookError>): T => valueOr(result, webhookProblem);

/** The URL's form, judged with the other fields when the schema refused the body. */
const urlCheck =
  (rules: UrlRules): FieldCheck<AuthEnv> =>
  (body) => {
    const problem = typeof body.url === 'string' ? urlProblem(body.url, rules) : undefined;
    return problem === undefined ? [] : [{ field: 'url', message: problem }];
  };

const NOT_YOURS = [404, 'No such webhook of the caller.'] as [number, string];

/** `/webhooks`: the caller's receivers of task events, their secrets and their deliveries. */
export function webhooksRoutes({ useCases, requireAuth, urlRules }: WebhooksHttpOptions) {
  const app = createRouter<AuthEnv>();
  const authed = { middleware: requireAuth, security: BEARER_SECURITY };

  app.openapi(
    createRoute({
      ...authed,
      method: 'post',
      path: '/webhooks',
      operationId: 'createWebhook',
      tags,
      summary: 'Register a webhook',
      description:
        `At most ${MAX_WEBHOOKS_PER_USER} per user. The answer carries the signing \`secret\`, ` +
        'shown this once (POST …/rotate-secret issues a new one).',
      request: { body: jsonBody(CreateWebhookBody) },
      responses: {
        201: jsonResponse('The webhook, with its secret', CreatedWebhookSchema, LOCATION_HEADER),
        ...errorResponses(
          400,
          401,
          [404, 'No such project among the live projects the caller is a member of.'],
          [
            409,
            `You have ${MAX_WEBHOOKS_PER_USER} webhooks already (\`webhook_limit_reached\`).`,
            ['webhook_limit_reached'],
          ],
          415,
          429,
        ),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const out = orProblem(
        await useCases.createWebhook.execute({
          actor: actorOf(c),
          url: body.url,
          events: body.events,
          projectId: body.project_id ?? null,
          active: body.active,
        }),
      );
      return c.json({ ...toWebhookJson(out.webhook), secret: out.secret }, 201, {
        Location: `/api/v1/webhooks/${out.webhook.id}`,
      });
    },
    checkFields(urlCheck(urlRules)),
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'get',
      path: '/webhooks',
      operationId: 'listWebhooks',
      tags,
      summary: 'The caller’s webhooks, oldest first',
      description: 'Secrets are never shown again.',
      responses: {
        200: jsonResponse('Webhooks', WebhookListSchema),
        ...errorResponses(401, 429),
      },
    }),
    async (c) => {
      const out = orProblem(await useCases.listWebhooks.execute({ actor: actorOf(c) }));
      return c.json({ items: out.items.map(toWebhookJson) }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'get',
      path: '/webhooks/{webhook_id}',
      operationId: 'getWebhook',
      tags,
      summary: 'One of the caller’s webhooks',
      description: 'Another user’s webhook, or an unknown one, is not found.',
      request: { params: WebhookIdParam },
      responses: {
        200: jsonResponse('The webhook', WebhookSchema),
        ...errorResponses(400, 401, NOT_YOURS, 429),
      },
    }),
    async (c) => {
      const webhook = orProblem(
        await useCases.getWebhook.execute({
          actor: actorOf(c),
          webhookId: c.req.valid('param').webhook_id,
        }),
      );
      return c.json(toWebhookJson(webhook), 200);
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'patch',
      path: '/webhooks/{webhook_id}',
      operationId: 'updateWebhook',
      tags,
      summary: 'Change a webhook’s URL or events, pause or resume it',
      description:
        'Absent fields stay. The service disables a webhook by itself after ' +
        `${DISABLE_AFTER_FAILED_DELIVERIES} deliveries in a row failed after every attempt ` +
        '(`disabled_reason` says so, and the owner gets a `webhook.disabled` notification); ' +
        '`active: true` resumes it.',
      request: { params: WebhookIdParam, body: jsonBody(UpdateWebhookBody) },
      responses: {
        200: jsonResponse('The webhook', WebhookSchema),
        ...errorResponses(400, 401, NOT_YOURS, 415, 429),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const webhook = orProblem(
        await useCases.updateWebhook.execute({
          actor: actorOf(c),
          webhookId: c.req.valid('param').webhook_id,
          ...(body.url === undefined ? {} : { url: body.url }),
          ...(body.events === undefined ? {} : { events: body.events }),
          ...(body.active === undefined ? {} : { active: body.active }),
        }),
      );
      return c.json(toWebhookJson(webhook), 200);
    },
    checkFields(urlCheck(urlRules)),
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'delete',
      path: '/webhooks/{webhook_id}',
      operationId: 'deleteWebhook',
      tags,
      summary: 'Delete a webhook and its deliveries',
      description: 'Attempts already queued find nothing and are dropped.',
      request: { params: WebhookIdParam },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 401, NOT_YOURS, 429) },
    }),
    async (c) => {
      orProblem(
        await useCases.deleteWebhook.execute({
          actor: actorOf(c),
          webhookId: c.req.valid('param').webhook_id,
        }),
      );
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'post',
      path: '/webhooks/{webhook_id}/rotate-secret',
      operationId: 'rotateWebhookSecret',
      tags,
      summary: 'Issue a new signing secret',
      description:
        'The new secret is shown this once. For 24 hours deliveries carry two signatures, with ' +
        'the new and the old secret, so receivers can switch without missing one.',
      request: { params: WebhookIdParam },
      responses: {
        200: jsonResponse('The new secret', RotatedSecretSchema),
        ...errorResponses(400, 401, NOT_YOURS, 429),
      },
    }),
    async (c) => {
      const out = orProblem(
        await useCases.rotateWebhookSecret.execute({
          actor: actorOf(c),
          webhookId: c.req.valid('param').webhook_id,
        }),
      );
      return c.json(
        {
          secret: out.secret,
          previous_secret_expires_at: out.previousSecretExpiresAt.toISOString(),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'post',
      path: '/webhooks/{webhook_id}/ping',
      operationId: 'pingWebhook',
      tags,
      summary: 'Send a `webhook.ping` delivery',
      description:
        'Queued and retried like any delivery; follow it in the deliveries list. The body is ' +
        '`{ type: "webhook.ping", timestamp, data: { id, type, task_id: null, project_id: null, ' +
        'actor_id, data: { webhook_id }, created_at } }`.',
      request: { params: WebhookIdParam },
      responses: {
        202: jsonResponse('The delivery, pending', WebhookDeliverySchema),
        ...errorResponses(400, 401, NOT_YOURS, 429),
      },
    }),
    async (c) => {
      const delivery = orProblem(
        await useCases.pingWebhook.execute({
          actor: actorOf(c),
          webhookId: c.req.valid('param').webhook_id,
        }),
      );
      return c.json(toDeliveryJson(delivery), 202);
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'get',
      path: '/webhooks/{webhook_id}/deliveries',
      operationId: 'listWebhookDeliveries',
      tags,
      summary: 'A webhook’s deliveries, newest first',
      description: 'Keyset paging: pass `next_cursor` as `cursor` for the next, older page.',
      request: { params: WebhookIdParam, query: ListDeliveriesQuery },
      responses: {
        200: jsonResponse('A page of deliveries', WebhookDeliveryListSchema),
        ...errorResponses(400, 401, NOT_YOURS, 429),
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const out = orProblem(
        await useCases.listDeliveries.execute({
          actor: actorOf(c),
          webhookId: c.req.valid('param').webhook_id,
          limit: query.limit,
          ...(query.status === undefined ? {} : { status: query.status }),
          ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
        }),
      );
      return c.json({ items: out.items.map(toDeliveryJson), next_cursor: out.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'post',
      path: '/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver',
      operationId: 'redeliverWebhookDelivery',
      tags,
      summary: 'Send a delivery again',
      description:
        'Any delivery, whatever its status: pending again, with the same `webhook-id` and body ' +
        'and a fresh series of retries; `attempts` keeps counting every attempt.',
      request: { params: DeliveryIdParams },
      responses: {
        202: jsonResponse('The delivery, pending', WebhookDeliverySchema),
        ...errorResponses(
          400,
          401,
          [404, 'No such webhook of the caller, or no such delivery of it.'],
          429,
        ),
      },
    }),
    async (c) => {
      const params = c.req.valid('param');
      const delivery = orProblem(
        await useCases.redeliver.execute({
          actor: actorOf(c),
          webhookId: params.webhook_id,
          deliveryId: params.delivery_id,
        }),
      );
      return c.json(toDeliveryJson(delivery), 202);
    },
  );
  return app;
}
