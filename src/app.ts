import type { OpenAPIHono } from '@hono/zod-openapi';
import { RequestContext } from '@mikro-orm/core';
import type { MiddlewareHandler } from 'hono';
import type { Container } from './container.ts';
import type { AppEnv } from './shared/http/app-env.ts';
import { bearerAuth, type AuthEnv } from './shared/http/bearer-auth.ts';
import { clientIpResolver } from './shared/http/client-ip.ts';
import { createHttpApp } from './shared/http/create-app.ts';
import { operationsRoutes } from './shared/http/operations.routes.ts';
import { enforceRateLimit, rateLimit } from './shared/http/rate-limit.ts';
import type { RateLimitDecision } from './shared/domain/rate-limiter.ts';

export const OPENAPI_INFO: Parameters<OpenAPIHono['getOpenAPI31Document']>[0] = {
  openapi: '3.1.0',
  info: {
    title: 'Task Manager API',
    version: '1.0.0',
    description:
      'Task management with identity, tasks, categories, comments, attachments and notifications. ' +
      'Errors are RFC 9457 problem documents (`application/problem+json`) with a stable `code`. ' +
      'Every response carries `X-Request-Id`. Rate limits: 20 requests/min per client IP on `/api/v1/auth/*`, ' +
      '100 requests/min per user on authenticated routes (`RateLimit-*` headers; 429 with `Retry-After`).',
    license: { name: 'MIT', url: 'https://opensource.org/license/mit' },
  },
  servers: [{ url: '/', description: 'This server' }],
};

const UPLOAD_PATH = /^\/api\/v1\/tasks\/[^/]+\/attachments$/;

/** Builds the HTTP application from a container: middleware, every module's routes, the contract. */
export function buildApp(container: Container): OpenAPIHono<AppEnv> {
  const { config, identity, tasks, notifications, rateLimiter } = container;
  const app = createHttpApp({
    logger: container.logger,
    metrics: container.metrics,
    corsOrigins: config.corsOrigins,
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
      key: (c) => `auth-ip:${clientIp(c)}`,
    }),
  );

  const authenticate = async (token: string) =>
    (await identity.useCases.authenticate.execute({ token })).unwrapOr(undefined);
  // The per-user count starts as soon as the token checks out, alongside the session lookup:
  // on the auto-pipelined Redis connection both go out in one round trip.
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
      await enforceRateLimit(c, decision, 60, next);
    });
  };

  const identityRoutes = identity.routes({ requireAuth, clientIp });
  app.route('/api/v1/auth', identityRoutes.auth);
  app.route('/api/v1', identityRoutes.users);
  for (const routes of tasks.routes({ requireAuth })) app.route('/api/v1', routes);
  for (const routes of notifications.routes({
    requireAuth,
    authenticate,
    allowedOrigins: config.corsOrigins,
  })) {
    app.route('/api/v1', routes);
  }
  app.route(
    '/',
    operationsRoutes({
      version: container.version,
      metrics: container.metrics,
      checks: container.readinessChecks,
    }),
  );

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Access token from register, login or refresh (30 minutes).',
  });
  app.doc31('/openapi.json', OPENAPI_INFO);
  return app;
}

export function openApiDocument(app: OpenAPIHono<AppEnv>) {
  return app.getOpenAPI31Document(OPENAPI_INFO);
}
