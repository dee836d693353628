import { OpenAPIHono, type Hook } from '@hono/zod-openapi';
import type { Context, Env, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { matchedRoutes } from 'hono/route';
import type { Histogram } from 'prom-client';
import type { ZodError } from 'zod';
import type { Logger } from '../infra/logger.ts';
import type { Metrics } from '../infra/metrics.ts';
import type { AppEnv } from './app-env.ts';
import { handleError, notFoundHandler, payloadTooLarge } from './error-handler.ts';
import { announcesBody, nodeBindings } from './node-bindings.ts';
import {
  onePerField,
  problem,
  validationProblem,
  type FieldError,
  type ProblemInit,
} from './problem.ts';
import { guardJsonBody, rejectUnstorableQuery } from './reject-unstorable-text.ts';
import { requestId } from './request-id.ts';
import { traceRequests } from './trace-requests.ts';

const DEFAULT_JSON_BODY_LIMIT = 1024 * 1024;

/** One entry per offending field, named by its path in the input (`target` for the whole input). */
function fieldErrors(error: ZodError, target?: string): FieldError[] {
  return onePerField(
    error.issues.map((issue) => ({
      field: issue.path.length > 0 ? issue.path.join('.') : (target ?? 'body'),
      message: issue.message,
    })),
  );
}

/**
 * Field rules of the domain that need more than the value itself (a block list, the clock). They
 * get the JSON body as sent (as parsed, when it passed the schema) and must not trust its shape.
 */
export type FieldCheck<E extends Env = AppEnv> = (
  body: Record<string, unknown>,
  c: Context<E>,
) => FieldError[];

export interface FieldCheckOptions {
  /** Run the check on a body that passed the schema too (rules no use case checks again). */
  always?: boolean;
  /** When this field is the only one refused, the problem to answer instead (e.g. `weak_password`). */
  alone?: { field: string; problem: (error: FieldError) => ProblemInit };
}

/**
 * The route hook: a request is judged completely before it is refused, so the schema's errors and
 * the domain rules `check` finds come back together, one entry per field, in one 400.
 */
export function checkFields<E extends Env = AppEnv>(
  check?: FieldCheck<E>,
  options: FieldCheckOptions = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one hook for every route shape
): Hook<any, E, any, any> {
  return (result, c) => {
    const errors = result.success
      ? []
      : fieldErrors(result.error, result.target === 'json' ? 'body' : result.target);
    // The validator passes the input as sent along with a failed result (the types omit it).
    const body: unknown = 'data' in result ? result.data : undefined;
    const judge =
      check !== undefined &&
      result.target === 'json' &&
      (options.always === true || !result.success) &&
      typeof body === 'object' &&
      body !== null &&
      !Array.isArray(body);
    if (judge) errors.push(...check(body as Record<string, unknown>, c));
    if (errors.length === 0) return undefined;
    const ctx = c as unknown as Context<AppEnv>;
    const { alone } = options;
    if (alone !== undefined && errors.every((error) => error.field === alone.field)) {
      return problem(ctx, alone.problem(errors[0]!));
    }
    return problem(ctx, validationProblem(errors));
  };
}

const validationHook = checkFields();

/**
 * A router whose validation failures become 400 `validation_failed` problems, and whose routes
 * with a JSON body check it (`guardJsonBody`) after their own middleware (authentication) and
 * before their validator.
 */
export function createRouter<E extends Env = AppEnv>(): OpenAPIHono<E> {
  const router = new OpenAPIHono<E>({
    defaultHook: validationHook as unknown as Hook<unknown, E, string, unknown>,
  });
  const register = router.openapi;
  router.openapi = (route, handler, hook) => {
    const content = route.request?.body?.content ?? {};
    if (!Object.keys(content).some((type) => /json/i.test(type))) {
      return register(route, handler, hook);
    }
    const own = route.middleware === undefined ? [] : [route.middleware].flat();
    return register({ ...route, middleware: [...own, guardJsonBody] }, handler, hook);
  };
  return router;
}

export interface HttpAppOptions {
  logger: Logger;
  metrics: Metrics;
  corsOrigins: string[];
  jsonBodyLimit?: number;
  /** Paths (prefix match) that enforce their own, larger body limit (e.g. uploads). */
  bodyLimitExempt?: (path: string) => boolean;
  /** A span per request (OpenTelemetry); off by default, so an untraced service pays nothing. */
  traceRequests?: boolean;
}

/** What hono's `secureHeaders({ crossOriginResourcePolicy: 'same-origin' })` sets, fixed once. */
const SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'SAMEORIGIN'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
];

const API_CSP = "default-src 'none'; frame-ancestors 'none'";
const DOCS_CSP =
  "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data:; connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'";

export function createHttpApp(options: HttpAppOptions): OpenAPIHono<AppEnv> {
  const app = createRouter<AppEnv>();
  const limit = options.jsonBodyLimit ?? DEFAULT_JSON_BODY_LIMIT;
  const limitBody = bodyLimit({
    maxSize: limit,
    onError: (c) => payloadTooLarge(c as never, limit),
  });

  // First, so the request's log lines and every span it causes belong to its trace.
  if (options.traceRequests) app.use(traceRequests());
  app.use(requestId(options.logger));
  app.use(observe(options.metrics, options.logger));
  app.use(async (c, next) => {
    const csp = c.req.path.startsWith('/docs') ? DOCS_CSP : API_CSP;
    const node = nodeBindings(c);
    if (node) {
      // Node merges these into the response when it is written: no fetch Headers per request.
      for (const [name, value] of SECURITY_HEADERS) node.outgoing.setHeader(name, value);
      node.outgoing.setHeader('Content-Security-Policy', csp);
      return next();
    }
    await next();
    for (const [name, value] of SECURITY_HEADERS) c.res.headers.set(name, value);
    c.res.headers.set('Content-Security-Policy', csp);
  });
  if (options.corsOrigins.length > 0) {
    const allowed = new Set(options.corsOrigins.map((origin) => new URL(origin).origin));
    app.use(
      cors({
        origin: (origin) => (allowed.has(origin) ? origin : null),
        allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
        allowHeaders: [
          'Authorization',
          'Content-Type',
          'If-Match',
          'If-None-Match',
          'Idempotency-Key',
          'X-Request-Id',
        ],
        exposeHeaders: [
          'X-Request-Id',
          'Location',
          'ETag',
          'Idempotent-Replayed',
          'Retry-After',
          'RateLimit-Limit',
          'RateLimit-Remaining',
          'RateLimit-Reset',
        ],
        maxAge: 600,
      }),
    );
  }
  const guardQuery = rejectUnstorableQuery();
  app.use(async (c, next) => {
    // Exempt paths (uploads) stream their own bodies: nothing here may read them.
    if (options.bodyLimitExempt?.(c.req.path) || !announcesBody(c)) return guardQuery(c, next);
    return limitBody(c, async () => {
      await guardQuery(c, next);
    });
  });
  app.onError(handleError);
  app.notFound(notFoundHandler(app));
  return app;
}

/** One log line and one histogram sample per request, labelled by route template. */
function observe(metrics: Metrics, logger: Logger): MiddlewareHandler<AppEnv> {
  // prom-client hashes and checks a label set on every observation; a child per set is hashed once.
  const series = new Map<string, ReturnType<Histogram<'method' | 'route' | 'status'>['labels']>>();
  return async (c, next) => {
    const started = process.hrtime.bigint();
    await next();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const route = matchedRoutes(c).findLast((r) => r.method !== 'ALL')?.path ?? 'unmatched';
    const status = c.res.status;
    const method = c.req.method;
    const key = `${method} ${status} ${route}`;
    let histogram = series.get(key);
    if (!histogram) {
      histogram = metrics.httpRequestDuration.labels({ method, route, status: String(status) });
      series.set(key, histogram);
    }
    histogram.observe(seconds);
    const level = status >= 500 ? 'error' : 'info';
    if (!logger.isLevelEnabled(level)) return;
    const userId = c.get('userId');
    const line = {
      method,
      route,
      status,
      duration_ms: Math.round(seconds * 1e4) / 10,
      ...(userId === undefined ? {} : { user_id: userId }),
    };
    c.get('logger')[level](line, 'request');
  };
}
