import { OpenAPIHono, type Hook } from '@hono/zod-openapi';
import type { Context, Env, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { matchedRoutes } from 'hono/route';
import { secureHeaders } from 'hono/secure-headers';
import type { ZodError } from 'zod';
import type { Logger } from '../infra/logger.ts';
import type { Metrics } from '../infra/metrics.ts';
import type { AppEnv } from './app-env.ts';
import { handleError, notFoundHandler, payloadTooLarge } from './error-handler.ts';
import {
  onePerField,
  problem,
  validationProblem,
  type FieldError,
  type ProblemInit,
} from './problem.ts';
import { rejectUnstorableText } from './reject-unstorable-text.ts';
import { requestId } from './request-id.ts';

export const DEFAULT_JSON_BODY_LIMIT = 1024 * 1024;

/** One entry per offending field, named by its path in the input (`target` for the whole input). */
export function fieldErrors(error: ZodError, target?: string): FieldError[] {
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

/** A router whose validation failures become 400 `validation_failed` problems. */
export function createRouter<E extends Env = AppEnv>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({
    defaultHook: validationHook as unknown as Hook<unknown, E, string, unknown>,
  });
}

export interface HttpAppOptions {
  logger: Logger;
  metrics: Metrics;
  corsOrigins: string[];
  jsonBodyLimit?: number;
  /** Paths (prefix match) that enforce their own, larger body limit (e.g. uploads). */
  bodyLimitExempt?: (path: string) => boolean;
}

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

  app.use(requestId(options.logger));
  app.use(observe(options.metrics));
  app.use(secureHeaders({ crossOriginResourcePolicy: 'same-origin' }));
  app.use(async (c, next) => {
    await next();
    c.res.headers.set(
      'Content-Security-Policy',
      c.req.path.startsWith('/docs') ? DOCS_CSP : API_CSP,
    );
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
          'X-Request-Id',
        ],
        exposeHeaders: [
          'X-Request-Id',
          'Location',
          'ETag',
          'Retry-After',
          'RateLimit-Limit',
          'RateLimit-Remaining',
          'RateLimit-Reset',
        ],
        maxAge: 600,
      }),
    );
  }
  const guardText = rejectUnstorableText();
  app.use(async (c, next) => {
    // Exempt paths (uploads) stream their own bodies: nothing here may read them.
    if (options.bodyLimitExempt?.(c.req.path)) return next();
    return limitBody(c, async () => {
      await guardText(c, next);
    });
  });
  app.onError(handleError);
  app.notFound(notFoundHandler(app));
  return app;
}

/** One log line and one histogram sample per request, labelled by route template. */
function observe(metrics: Metrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = process.hrtime.bigint();
    await next();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const route = matchedRoutes(c).findLast((r) => r.method !== 'ALL')?.path ?? 'unmatched';
    const status = c.res.status;
    metrics.httpRequestDuration.observe(
      { method: c.req.method, route, status: String(status) },
      seconds,
    );
    const userId = c.get('userId');
    const line = {
      method: c.req.method,
      route,
      status,
      duration_ms: Math.round(seconds * 1e4) / 10,
      ...(userId === undefined ? {} : { user_id: userId }),
    };
    const logger = c.get('logger');
    if (status >= 500) logger.error(line, 'request');
    else logger.info(line, 'request');
  };
}
