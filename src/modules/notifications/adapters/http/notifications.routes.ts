import { createRoute } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { Result } from 'neverthrow';
import type { AuthEnv } from '../../../../shared/http/bearer-auth.ts';
import { createRouter } from '../../../../shared/http/create-app.ts';
import { BEARER_SECURITY, errorResponses, jsonResponse } from '../../../../shared/http/openapi.ts';
import { valueOr } from '../../../../shared/http/problem.ts';
import type { NotificationError } from '../../domain/notification.errors.ts';
import type { NotificationsUseCases } from '../../notifications.use-cases.ts';
import { notificationProblem } from './notifications.problems.ts';
import {
  ListNotificationsQuery,
  NotificationIdParam,
  NotificationListSchema,
  toNotificationJson,
} from './notifications.schemas.ts';

export interface NotificationsHttpOptions {
  useCases: NotificationsUseCases;
  /** Bearer authentication plus the per-user rate limit. */
  requireAuth: MiddlewareHandler<AuthEnv>;
}

const tags = ['Notifications'];
const actorOf = (c: Context<AuthEnv>) => ({ userId: c.get('principal').userId });
const orProblem = <T>(result: Result<T, NotificationError>): T =>
  valueOr(result, notificationProblem);

/** The inbox: `/notifications`, newest first, and marking read. */
export function notificationsRoutes({ useCases, requireAuth }: NotificationsHttpOptions) {
  const app = createRouter<AuthEnv>();
  const authed = { middleware: requireAuth, security: BEARER_SECURITY };

  app.openapi(
    createRoute({
      ...authed,
      method: 'get',
      path: '/notifications',
      operationId: 'listNotifications',
      tags,
      summary: 'The caller’s notifications, newest first',
      description: 'Keyset paging: pass `next_cursor` as `cursor` for the next, older page.',
      request: { query: ListNotificationsQuery },
      responses: {
        200: jsonResponse('A page of notifications', NotificationListSchema),
        ...errorResponses(400, 401, 429),
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const out = orProblem(
        await useCases.listNotifications.execute({
          actor: actorOf(c),
          unreadOnly: query.unread_only,
          limit: query.limit,
          cursor: query.cursor,
        }),
      );
      return c.json({ items: out.items.map(toNotificationJson), next_cursor: out.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'post',
      path: '/notifications/read-all',
      operationId: 'markAllNotificationsRead',
      tags,
      summary: 'Mark every notification of the caller read',
      description: 'Answers 204 whether or not anything was unread.',
      responses: { 204: { description: 'All read' }, ...errorResponses(401, 429) },
    }),
    async (c) => {
      orProblem(await useCases.markAllNotificationsRead.execute({ actor: actorOf(c) }));
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'post',
      path: '/notifications/{notification_id}/read',
      operationId: 'markNotificationRead',
      tags,
      summary: 'Mark one notification read (again: no change)',
      description: 'Another user’s notification, or an unknown one, is not found.',
      request: { params: NotificationIdParam },
      responses: {
        204: { description: 'Read' },
        ...errorResponses(400, 401, [404, 'No such notification of the caller.'], 429),
      },
    }),
    async (c) => {
      orProblem(
        await useCases.markNotificationRead.execute({
          actor: actorOf(c),
          notificationId: c.req.valid('param').notification_id,
        }),
      );
      return c.body(null, 204);
    },
  );
  return app;
}
