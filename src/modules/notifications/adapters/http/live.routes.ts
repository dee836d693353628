import { upgradeWebSocket } from '@hono/node-server';
import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { sessionOf, type AuthEnv } from '../../../../shared/http/bearer-auth.ts';
import { createRouter } from '../../../../shared/http/create-app.ts';
import { BEARER_SECURITY, errorResponses, jsonResponse } from '../../../../shared/http/openapi.ts';
import { ProblemError, valueOr } from '../../../../shared/http/problem.ts';
import type { OpenLiveFeedInput } from '../../application/open-live-feed.ts';
import type { SessionPrincipal } from '../../application/ports.ts';
import type { NotificationsUseCases } from '../../notifications.use-cases.ts';
import { CLOSE, DEFAULT_CLIENT_FRAMES, type WsGateway } from '../realtime/ws-gateway.ts';
import { notificationProblem } from './notifications.problems.ts';

export interface LiveHttpOptions {
  useCases: NotificationsUseCases;
  requireAuth: MiddlewareHandler<AuthEnv>;
  /** The identity module's check of an access token. */
  authenticate: (token: string) => Promise<SessionPrincipal | undefined>;
  gateway: WsGateway;
  /** CORS_ORIGINS: the only browser origins that may open a socket. */
  allowedOrigins: readonly string[];
  /**
   * The limiters an upgrade counts against, before it happens: `byIp` first, then `byUser` once
   * the caller is known (`userId` on the context). Each answers 429 with RateLimit-* headers.
   */
  upgradeLimits?: { byIp: MiddlewareHandler<AuthEnv>; byUser: MiddlewareHandler<AuthEnv> };
  /** Called with the status of every refused upgrade (metrics). */
  onRefused?: (status: number) => void;
}

const tags = ['Notifications'];
const BEARER_OR_TICKET: Array<Record<string, string[]>> = [{ bearerAuth: [] }, {}];
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

const TicketSchema = z
  .object({
    ticket: z
      .string()
      .openapi({ description: 'Pass as `?ticket=` to GET /api/v1/ws; single use.' }),
    expires_in: z.literal(30).openapi({ description: 'Seconds the ticket stays valid.' }),
  })
  .openapi('WsTicket');

/** The query of GET /ws, shared with the AsyncAPI document's channel binding. */
export const LiveQuery = z.object({
  ticket: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: 'A ticket from POST /api/v1/ws/tickets (for browsers).' }),
  after: z.uuid().optional().openapi({
    description:
      'Resume after this notification of yours: what came since is sent first, in order, then live ones.',
  }),
});

/** POST /ws/tickets and the WebSocket endpoint GET /ws. */
export function liveRoutes(options: LiveHttpOptions) {
  const { useCases, requireAuth, gateway } = options;
  const app = createRouter<AuthEnv>();
  const allowedOrigins = new Set(options.allowedOrigins.map((origin) => new URL(origin).origin));

  app.openapi(
    createRoute({
      middleware: requireAuth,
      security: BEARER_SECURITY,
      method: 'post',
      path: '/ws/tickets',
      operationId: 'createWsTicket',
      tags,
      summary: 'A single-use ticket to open the WebSocket (for clients that cannot send headers)',
      description:
        'Browsers cannot set `Authorization` on a WebSocket: pass the ticket as `?ticket=` within 30 seconds; it works once.',
      responses: {
        201: jsonResponse('The ticket; it expires after 30 seconds', TicketSchema),
        ...errorResponses(401, 429),
      },
    }),
    async (c) => {
      const { userId, sessionId } = sessionOf(c);
      const { ticket } = valueOr(
        await useCases.issueWsTicket.execute({ principal: { userId, sessionId } }),
        notificationProblem,
      );
      return c.json({ ticket, expires_in: 30 as const }, 201, { 'Cache-Control': 'no-store' });
    },
  );

  const passThrough: MiddlewareHandler<AuthEnv> = (_c, next) => next();
  const limits = options.upgradeLimits ?? { byIp: passThrough, byUser: passThrough };
  const countRefusals: MiddlewareHandler<AuthEnv> = async (c, next) => {
    await next();
    if (c.res.status >= 400) options.onRefused?.(c.res.status);
  };

  app.openapi(
    createRoute({
      middleware: [countRefusals, limits.byIp],
      method: 'get',
      path: '/ws',
      operationId: 'openNotificationSocket',
      tags,
      summary: 'WebSocket of the caller’s notifications',
      description:
        'Upgrade with `Authorization: Bearer <access token>` or `?ticket=`. The server sends text ' +
        'frames `{ "type": "notification", "data": Notification }`, each notification once and in ' +
        'order; with `after`, first those that came after it. Client messages are ignored (at most ' +
        '4 KiB). The server pings every 30 s and drops sockets that do not answer, and sockets that ' +
        'fall too far behind. It closes with 4401 when the session ends (logout, revocation, ' +
        `deactivation), ${CLOSE.socketLimit} when the user opens more sockets than the instance's ` +
        'limit (WS_MAX_SOCKETS_PER_USER: the oldest is closed), ' +
        `${CLOSE.tooManyFrames} when the client sends more than ${DEFAULT_CLIENT_FRAMES.burst} frames at once or ` +
        `${DEFAULT_CLIENT_FRAMES.perSecond} per second on average, and 1001 when it shuts down; reconnect with \`after\`. ` +
        'Each upgrade counts against the per-IP limit and then the per-user limit (429 before the upgrade).',
      // Either the bearer header or a ticket in the query (`{}`: no header needed).
      security: BEARER_OR_TICKET,
      request: { query: LiveQuery },
      responses: {
        101: { description: 'Switching protocols: the socket is open.' },
        ...errorResponses(
          [400, 'Malformed query, or `after` is not one of the caller’s notifications.'],
          [401, 'No valid access token or ticket (an unknown, expired or used ticket).'],
          [403, 'A browser `Origin` that is not in CORS_ORIGINS.', ['forbidden_origin']],
          [426, 'Not a WebSocket upgrade request.', ['upgrade_required']],
          [429, 'Too many upgrades from this IP address or by this user (`rate_limited`).'],
        ),
      },
    }),
    async (c) => {
      if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') throw upgradeRequired();
      // Checked first: a page on another site must not even spend a ticket.
      const origin = c.req.header('origin');
      if (origin !== undefined && !allowedOrigins.has(origin)) throw forbiddenOrigin();
      const { ticket, after } = c.req.valid('query');
      const credentials = await credentialsOf(c, options.authenticate, ticket);
      const opened = valueOr(
        await useCases.openLiveFeed.execute({ credentials, after }),
        notificationProblem,
      );
      c.set('userId', opened.principal.userId);
      await limits.byUser(c, () => Promise.resolve());
      // The adapter answers 101 itself once the handshake completes; this response only says "go".
      return upgradeWebSocket(c, gateway.events(opened.principal, opened.afterSeq));
    },
  );
  return app;
}

async function credentialsOf(
  c: Context<AuthEnv>,
  authenticate: LiveHttpOptions['authenticate'],
  ticket: string | undefined,
): Promise<OpenLiveFeedInput['credentials']> {
  const header = c.req.header('authorization');
  if (header !== undefined) {
    const match = BEARER.exec(header);
    const principal = match ? await authenticate(match[1]!) : undefined;
    if (!principal) throw new ProblemError(notificationProblem({ type: 'Unauthenticated' }));
    return { type: 'principal', principal };
  }
  if (ticket !== undefined) return { type: 'ticket', ticket };
  throw new ProblemError(notificationProblem({ type: 'Unauthenticated' }));
}

const upgradeRequired = () =>
  new ProblemError({
    status: 426,
    code: 'upgrade_required',
    title: 'Upgrade required',
    detail: 'This endpoint speaks WebSocket only.',
    headers: { Upgrade: 'websocket' },
  });

const forbiddenOrigin = () =>
  new ProblemError({
    status: 403,
    code: 'forbidden_origin',
    title: 'Origin not allowed',
    detail: 'Browsers may open this socket only from an origin in CORS_ORIGINS.',
  });
