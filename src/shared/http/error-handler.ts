import type { Context, Hono, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { OverloadedError } from '../infra/bounded-queue.ts';
import { unavailableDependency } from '../infra/dependency-errors.ts';
import type { AppEnv } from './app-env.ts';
import { problem, ProblemError, validationProblem } from './problem.ts';

export function handleError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof ProblemError) return problem(c, err.init);
  if (err instanceof HTTPException) return fromHttpException(err, c);
  if (clientAborted(err, c)) {
    // Nobody reads this answer; the status keeps the request out of the 5xx counts.
    c.get('logger').info({ err: { message: err.message } }, 'client aborted the request');
    return problem(c, {
      status: 400,
      code: 'request_aborted',
      title: 'Request aborted by the client',
    });
  }
  if (err instanceof OverloadedError) {
    // Not logged one by one: under the load that causes it, that would add to the load.
    return problem(c, {
      status: 503,
      code: 'server_busy',
      title: 'Server busy',
      detail: 'Too much work of this kind is queued; retry after the time in Retry-After.',
      headers: { 'Retry-After': String(err.retryAfterSeconds) },
    });
  }
  const dependency = unavailableDependency(err);
  if (dependency) {
    c.get('logger').warn({ dependency, err: { message: err.message } }, 'dependency unavailable');
    return problem(c, {
      status: 503,
      code: 'service_unavailable',
      title: 'Service temporarily unavailable',
      detail: `The ${dependency} is unavailable; retry shortly.`,
      headers: { 'Retry-After': '5' },
    });
  }
  c.get('logger').error({ err }, 'unhandled error');
  return problem(c, { status: 500, code: 'internal_error', title: 'Internal server error' });
}

/** The client closed the connection while its body was still being read. */
function clientAborted(err: Error, c: Context<AppEnv>): boolean {
  const code = (err as { code?: unknown }).code;
  if (code === 'ECONNRESET' && err.message === 'aborted') return true;
  if (code === 'ERR_STREAM_PREMATURE_CLOSE') return true;
  return c.req.raw.signal.aborted && unavailableDependency(err) === undefined;
}

function fromHttpException(err: HTTPException, c: Context<AppEnv>): Response {
  switch (err.status) {
    case 400:
      return problem(
        c,
        validationProblem(
          [{ field: 'body', message: err.message }],
          /json/i.test(err.message) ? 'The body is not valid JSON.' : err.message,
        ),
      );
    case 413:
      return payloadTooLarge(c);
    case 415:
      return problem(c, {
        status: 415,
        code: 'unsupported_media_type',
        title: 'Unsupported media type',
        detail: 'Send the body as application/json.',
      });
    default:
      return problem(c, {
        status: err.status,
        code: err.status >= 500 ? 'internal_error' : 'http_error',
        title: err.message || 'Request failed',
      });
  }
}

export function payloadTooLarge(c: Context<AppEnv>, limitBytes?: number): Response {
  return problem(c, {
    status: 413,
    code: 'payload_too_large',
    title: 'Payload too large',
    ...(limitBytes === undefined ? {} : { detail: `The body may not exceed ${limitBytes} bytes.` }),
  });
}

/** 404 for unknown paths, 405 (with `Allow`) where the path exists under other methods. */
export function notFoundHandler(app: Hono<AppEnv>): NotFoundHandler<AppEnv> {
  let table: Array<{ pattern: RegExp; method: string }> | undefined;
  return (c) => {
    table ??= app.routes
      .filter((route) => route.method !== 'ALL')
      .map((route) => ({ pattern: pathPattern(route.path), method: route.method }));
    const path = new URL(c.req.url).pathname;
    const allowed = [...new Set(table.filter((r) => r.pattern.test(path)).map((r) => r.method))];
    if (allowed.length > 0) {
      if (allowed.includes('GET')) allowed.push('HEAD');
      return problem(c, {
        status: 405,
        code: 'method_not_allowed',
        title: 'Method not allowed',
        detail: `Use ${allowed.join(', ')}.`,
        headers: { Allow: allowed.join(', ') },
      });
    }
    return problem(c, { status: 404, code: 'not_found', title: 'Resource not found' });
  };
}

function pathPattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}/?$`);
}
