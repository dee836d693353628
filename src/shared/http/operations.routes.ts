import { createRoute, z } from '@hono/zod-openapi';
import { swaggerUI } from '@hono/swagger-ui';
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Metrics } from '../infra/metrics.ts';
import type { AppEnv } from './app-env.ts';
import { createRouter } from './create-app.ts';
import { errorResponses } from './openapi.ts';
import { ProblemError } from './problem.ts';

export interface ReadinessCheck {
  name: 'database' | 'redis';
  /** Resolves when the dependency answers; rejects (or times out) otherwise. */
  check(): Promise<void>;
}

export interface OperationsOptions {
  version: string;
  metrics: Metrics;
  checks: ReadinessCheck[];
  checkTimeoutMs?: number;
  /** METRICS_TOKEN: `/metrics` answers only `Authorization: Bearer <token>`. */
  metricsToken?: string | undefined;
  /** False when METRICS_PORT moves `/metrics` to a listener of its own. */
  serveMetrics?: boolean;
}

const HealthSchema = z
  .object({
    status: z.literal('ok'),
    version: z.string().openapi({ example: '0.1.0' }),
    time: z.iso.datetime().openapi({ example: '2026-11-22T10:00:00.000Z' }),
  })
  .openapi('Health');

const CheckSchema = z.object({
  status: z.enum(['up', 'down']),
  latency_ms: z.number().openapi({ example: 1.3 }),
  error: z.string().optional().openapi({ example: 'timed out after 1000 ms' }),
});

const ReadinessSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.object({ database: CheckSchema, redis: CheckSchema }),
  })
  .openapi('Readiness');

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  operationId: 'getHealth',
  tags: ['Operations'],
  security: [],
  summary: 'Liveness: the process is up (touches no dependency)',
  description:
    'For a liveness probe: answers while the process runs, whatever its dependencies do.',
  responses: {
    200: { description: 'Alive', content: { 'application/json': { schema: HealthSchema } } },
  },
});

const readyRoute = createRoute({
  method: 'get',
  path: '/health/ready',
  operationId: 'getReadiness',
  tags: ['Operations'],
  security: [],
  summary: 'Readiness: PostgreSQL and Redis answer',
  description: 'For a readiness probe: 503 with the failing check while a dependency is down.',
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: ReadinessSchema } } },
    503: {
      description: 'A dependency is down',
      content: { 'application/json': { schema: ReadinessSchema } },
    },
  },
});

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  operationId: 'getMetrics',
  tags: ['Operations'],
  // Open only outside production with neither METRICS_TOKEN nor METRICS_PORT set.
  security: [{ metricsToken: [] }, {}],
  summary: 'Prometheus metrics',
  description:
    'Prometheus text format, including `http_request_duration_seconds` by method, route ' +
    'template and status. With `METRICS_TOKEN` set, only `Authorization: Bearer <METRICS_TOKEN>` ' +
    'is answered. With `METRICS_PORT` set, this path is served only on that separate listener ' +
    '(404 here). Production requires one of the two.',
  responses: {
    200: {
      description: 'Prometheus text exposition format',
      content: { 'text/plain': { schema: z.string() } },
    },
    ...errorResponses(
      [401, 'METRICS_TOKEN is set and the request does not carry it.'],
      [404, 'METRICS_PORT is set: /metrics is served only on that separate listener.'],
    ),
  },
});

const SWAGGER_ASSETS = new Map([
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
]);
const swaggerDir = path.dirname(
  createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'),
);

export function operationsRoutes(options: OperationsOptions) {
  const timeout = options.checkTimeoutMs ?? 1_000;
  const app = createRouter<AppEnv>();

  app.openapi(healthRoute, (c) =>
    c.json(
      { status: 'ok' as const, version: options.version, time: new Date().toISOString() },
      200,
    ),
  );

  app.openapi(readyRoute, async (c) => {
    const results = await Promise.all(options.checks.map((check) => runCheck(check, timeout)));
    const checks = Object.fromEntries(results.map(({ name, ...rest }) => [name, rest])) as z.infer<
      typeof ReadinessSchema
    >['checks'];
    const ok = results.every((r) => r.status === 'up');
    c.header('Cache-Control', 'no-store');
    return ok
      ? c.json({ status: 'ok' as const, checks }, 200)
      : c.json({ status: 'unavailable' as const, checks }, 503);
  });

  if (options.serveMetrics ?? true) {
    const authorized = metricsAuthorizer(options.metricsToken);
    app.openapi(metricsRoute, async (c) => {
      if (!authorized(c.req.header('authorization'))) throw metricsUnauthorized();
      const body = await options.metrics.registry.metrics();
      return c.text(body, 200, { 'Content-Type': options.metrics.registry.contentType });
    });
  }

  app.get(
    '/docs',
    swaggerUI({
      url: '/openapi.json',
      baseUrl: '/docs/assets',
      title: 'Task Manager API',
      // Swagger UI would otherwise show a badge loaded from validator.swagger.io on every host
      // but localhost: a third-party request the page's CSP refuses, and one a host without
      // internet access cannot make.
      validatorUrl: 'none',
    }),
  );
  const assetCache = new Map<string, Buffer>();
  app.get('/docs/assets/swagger-ui-dist/:file', async (c) => {
    const file = c.req.param('file');
    const type = SWAGGER_ASSETS.get(file);
    if (!type) return c.notFound();
    let content = assetCache.get(file);
    if (!content) {
      content = await readFile(path.join(swaggerDir, file));
      assetCache.set(file, content);
    }
    return c.body(new Uint8Array(content), 200, {
      'Content-Type': type,
      'Cache-Control': 'public, max-age=86400',
    });
  });

  return app;
}

/** Whether an Authorization header carries METRICS_TOKEN (compared in constant time); all pass without one. */
export function metricsAuthorizer(
  token: string | undefined,
): (header: string | undefined) => boolean {
  if (token === undefined) return () => true;
  const expected = digest(token);
  return (header) => {
    const presented = /^Bearer (\S+)$/.exec(header ?? '')?.[1];
    return presented !== undefined && timingSafeEqual(digest(presented), expected);
  };
}

// Equal-length digests, so the comparison does not leak the token's length.
const digest = (text: string) => createHash('sha256').update(text).digest();

const metricsUnauthorized = () =>
  new ProblemError({
    status: 401,
    code: 'unauthenticated',
    title: 'Authentication required',
    detail: 'Send the metrics token as a bearer token.',
    headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' },
  });

async function runCheck(check: ReadinessCheck, timeoutMs: number) {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { name: check.name, status: 'up' as const, latency_ms: elapsed(started) };
  } catch (err) {
    // Only a coarse reason: addresses and driver messages stay out of a public response.
    const reason =
      err instanceof Error && err.message.startsWith('timed out') ? err.message : 'unreachable';
    return {
      name: check.name,
      status: 'down' as const,
      latency_ms: elapsed(started),
      error: reason,
    };
  } finally {
    clearTimeout(timer);
  }
}

const elapsed = (started: number) => Math.round((performance.now() - started) * 10) / 10;
