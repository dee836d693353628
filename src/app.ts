import type { OpenAPIHono } from '@hono/zod-openapi';
import { RequestContext } from '@mikro-orm/core';
import type { MiddlewareHandler } from 'hono';
import type { Container } from './container.ts';
import type { AppEnv } from './shared/http/app-env.ts';
import { bearerAuth, insufficientScope, type AuthEnv } from './shared/http/bearer-auth.ts';
import { clientIpResolver, rateLimitSubject } from './shared/http/client-ip.ts';
import { createHttpApp } from './shared/http/create-app.ts';
import { idempotency } from './shared/http/idempotency.ts';
import { declareIdempotency } from './shared/http/idempotency-openapi.ts';
import { declareMiddleware } from './shared/http/openapi.ts';
import {
  IDEMPOTENT_OPERATIONS,
  NOT_IDEMPOTENT,
  REFUSES_IDEMPOTENCY_KEY,
} from './idempotent-operations.ts';
import { operationsRoutes } from './shared/http/operations.routes.ts';
import { enforceRateLimit, rateLimit } from './shared/http/rate-limit.ts';
import { MAX_JSON_DEPTH } from './shared/http/reject-unstorable-text.ts';
import { problem } from './shared/http/problem.ts';
import { declareTokenAccess, tokenAccessRefusal } from './shared/http/token-access.ts';
import {
  ACCESS_TOKEN_DEFAULT_DAYS,
  ACCESS_TOKEN_MAX_DAYS,
  ACCESS_TOKEN_PREFIX,
  ACCESS_TOKENS_PER_USER,
} from './modules/identity/domain/access-token.ts';
import { TOKEN_ACCESS } from './token-access.ts';
import type { RateLimitDecision } from './shared/domain/rate-limiter.ts';

export const OPENAPI_INFO: Parameters<OpenAPIHono['getOpenAPI31Document']>[0] = {
  openapi: '3.1.0',
  info: {
    title: 'Task Manager API',
    version: '1.0.0',
    description:
      'Task management with identity, tasks, categories, comments, attachments, notifications and webhooks. ' +
      'Errors are RFC 9457 problem documents (`application/problem+json`) with a stable `code`. ' +
      'Every response carries `X-Request-Id`. Rate limits: 20 requests/min per client IP on `/api/v1/auth/*`, ' +
      '100 requests/min per user on authenticated routes (`RateLimit-*` headers; 429 with `Retry-After`). ' +
      `JSON bodies may nest arrays and objects at most ${MAX_JSON_DEPTH} levels deep (400 \`validation_failed\`). ` +
      `Personal access tokens (\`${ACCESS_TOKEN_PREFIX}…\`, security scheme \`accessToken\`) call the operations their ` +
      'scopes allow, counted against their user’s rate limit; elsewhere they get 403 `insufficient_scope`. ' +
      'POSTs that create something take `Idempotency-Key` for safe retries (see each operation).',
    license: { name: 'MIT', url: 'https://opensource.org/license/mit' },
  },
  servers: [{ url: '/', description: 'This server' }],
  tags: [
    {
      name: 'Auth',
      description: 'Accounts, sign-in, token refresh, sessions, email and password.',
    },
    { name: 'Users', description: 'The signed-in user’s own profile.' },
    { name: 'Admin', description: 'User administration and every project (role `admin` only).' },
    {
      name: 'Access tokens',
      description:
        `Personal access tokens for scripts and integrations: \`${ACCESS_TOKEN_PREFIX}\` and 256 random bits, shown ` +
        `once, stored only as a hash; valid ${ACCESS_TOKEN_DEFAULT_DAYS} days unless \`expires_at\` says otherwise ` +
        `(at most ${ACCESS_TOKEN_MAX_DAYS} days); at most ${ACCESS_TOKENS_PER_USER} live tokens per user. Revoked at ` +
        'once on DELETE, on a password reset and when the account is deactivated. Only a signed-in session manages them.',
    },
    {
      name: 'Tasks',
      description:
        'Tasks in the projects the caller is a member of (their Inbox and shared projects), and Inbox tasks assigned to them. Every task representation carries an `ETag` from `version`; PATCH takes `If-Match`, GET honours `If-None-Match`.',
    },
    {
      name: 'Projects',
      description:
        'Shared lists of tasks. Roles: viewer < editor < admin < owner, each able to do what the ones below may. A non-member gets 404 for everything in a project; a member whose role is too low, 403 `forbidden`. Every user’s Inbox is personal (403 `personal_project`); an archived project is read-only (403 `project_archived`). Project representations carry an `ETag` from `version`.',
    },
    { name: 'Categories', description: 'Each user’s private labels for tasks.' },
    {
      name: 'Comments',
      description:
        'Remarks on a task by anyone who sees it: every member of its project, viewers included, and the assignee of an Inbox task.',
    },
    { name: 'Attachments', description: 'Files on a task (≤ 10 MiB), typed by their bytes.' },
    {
      name: 'Invitations',
      description:
        'Invitations into shared projects: sent by a project’s admins to an address, answered by the account that owns it.',
    },
    {
      name: 'Notifications',
      description: 'The stored inbox, and its live WebSocket feed with tickets for browsers.',
    },
    {
      name: 'Webhooks',
      description:
        'Task events POSTed to the caller’s own HTTPS endpoints, signed (Standard Webhooks), retried for about a day.',
    },
    { name: 'Operations', description: 'Liveness, readiness and metrics for operators.' },
  ],
};

const UPLOAD_PATH = /^\/api\/v1\/tasks\/[^/]+\/attachments$/;

/** Builds the HTTP application from a container: middleware, every module's routes, the contract. */
export function buildApp(container: Container): OpenAPIHono<AppEnv> {
  const { config, identity, tasks, notifications, webhooks, rateLimiter } = container;
  const app = createHttpApp({
    logger: container.logger,
    metrics: container.metrics,
    corsOrigins: config.corsOrigins,
    traceRequests: container.tracing.enabled,
    // Uploads stream through their own 10 MiB limit.
    bodyLimitExempt: (path) => UPLOAD_PATH.test(path),
  });
  const clientIp = clientIpResolver(config.trustProxy);

  // Every API request works in its own EntityManager fork (allowGlobalContext is off).
  app.use('/api/*', (c, next) => RequestContext.create(container.orm.em, next));
  app.use(
    '/api/v1/auth/*',
    rateLimit({
      limiter: rateLimiter,
      limit: config.rateLimit.authPerMinute,
      key: (c) => `auth-ip:${rateLimitSubject(clientIp(c), config.rateLimit.ipv6Prefix)}`,
    }),
  );

  // The WebSocket is for sessions only: the gateway closes a socket the moment its session is
  // revoked, and has no such signal for access tokens.
  const authenticate = async (token: string) => {
    const caller = (await identity.useCases.authenticate.execute({ token })).unwrapOr(undefined);
    if (caller?.kind === 'token') throw insufficientScope();
    return caller;
  };
  const idempotent = idempotency({
    store: container.idempotency,
    operations: IDEMPOTENT_OPERATIONS,
    refused: REFUSES_IDEMPOTENCY_KEY,
    onOutcome: (outcome) => container.metrics.idempotencyOutcomes.inc({ outcome }),
  });
  // The per-user count starts as soon as the token checks out, alongside the session lookup:
  // on the auto-pipelined Redis connection both go out in one round trip. Idempotency keys are
  // looked at after both, so a retry is authenticated and counted like any request.
  const requireAuth: MiddlewareHandler<AuthEnv> = async (c, next) => {
    let counted: Promise<RateLimitDecision> | undefined;
    const bearer = bearerAuth(async (token) => {
      const result = await identity.useCases.authenticate.execute({
        token,
        alongside: (userId) =>
          (counted = rateLimiter.consume(`user:${userId}`, config.rateLimit.userPerMinute, 60)),
      });
      return result.unwrapOr(undefined);
    });
    await bearer(c, async () => {
      const decision = await counted!;
      // Refused tokens count too, so probing scopes costs the same as any request. The refusal is
      // answered here rather than thrown, so it carries the RateLimit-* headers like any answer.
      await enforceRateLimit(c, decision, 60, async () => {
        const refusal = tokenAccessRefusal(TOKEN_ACCESS, c, c.get('principal'));
        if (refusal) c.res = problem(c, refusal.init);
        else await idempotent(c, next);
      });
    });
  };

  const identityRoutes = identity.routes({
    requireAuth,
    clientIp,
    detach: (operation, work) => container.detached.run(operation, work),
  });
  app.route('/api/v1/auth', identityRoutes.auth);
  app.route('/api/v1/auth', identityRoutes.sessions);
  app.route('/api/v1', identityRoutes.users);
  app.route('/api/v1', identityRoutes.adminUsers);
  app.route('/api/v1', identityRoutes.tokens);
  for (const routes of tasks.routes({ requireAuth })) app.route('/api/v1', routes);
  for (const routes of notifications.routes({
    requireAuth,
    authenticate,
    allowedOrigins: config.corsOrigins,
    upgradeLimits: {
      // Its own bucket with the per-IP limit, so reconnecting sockets never use up logins.
      byIp: rateLimit<AuthEnv>({
        limiter: rateLimiter,
        limit: config.rateLimit.authPerMinute,
        key: (c) => `ws-ip:${rateLimitSubject(clientIp(c), config.rateLimit.ipv6Prefix)}`,
      }),
      // The user's own bucket, shared with their API requests.
      byUser: rateLimit<AuthEnv>({
        limiter: rateLimiter,
        limit: config.rateLimit.userPerMinute,
        key: (c) => {
          const userId = c.get('userId');
          return userId === undefined ? undefined : `user:${userId}`;
        },
      }),
    },
  })) {
    app.route('/api/v1', routes);
  }
  for (const routes of webhooks.routes({ requireAuth })) app.route('/api/v1', routes);
  app.route(
    '/',
    operationsRoutes({
      version: container.version,
      metrics: container.metrics,
      checks: container.readinessChecks,
      metricsToken: config.metrics.token,
      serveMetrics: config.metrics.port === undefined,
    }),
  );

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Access token from register, login or refresh (30 minutes).',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'accessToken', {
    type: 'http',
    scheme: 'bearer',
    description:
      `A personal access token (\`${ACCESS_TOKEN_PREFIX}…\`) from POST /api/v1/tokens. The names in an ` +
      'operation’s requirement are the scope the token needs; an empty list means any token.',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'metricsToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'METRICS_TOKEN, for GET /metrics when it is set.',
  });
  let served: ReturnType<typeof openApiDocument> | undefined;
  app.get('/openapi.json', (c) => c.json((served ??= openApiDocument(app))));
  return app;
}

/** The document of the routes, with what the middleware mounted here adds to their responses. */
export function openApiDocument(app: OpenAPIHono<AppEnv>) {
  const document = declareIdempotency(
    declareTokenAccess(app.getOpenAPI31Document(OPENAPI_INFO), TOKEN_ACCESS),
    IDEMPOTENT_OPERATIONS,
    NOT_IDEMPOTENT,
    REFUSES_IDEMPOTENCY_KEY,
  );
  return declareMiddleware(document, {
    // Per client IP on /auth/*; per user on routes that require a session's or an access token's
    // bearer credential, after the bearer check, so their 401s come before it. Text the database
    // cannot store is refused (400) before either limiter counts the request.
    rateLimited: (path, operation) => {
      if (path.startsWith('/api/v1/auth/')) return { before: [400] };
      const security = operation.security ?? [];
      const bearerOnly =
        security.length > 0 &&
        security.every(
          (requirement) => 'bearerAuth' in requirement || 'accessToken' in requirement,
        );
      return bearerOnly ? { before: [400, 401] } : undefined;
    },
  });
}
