import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type TextMapGetter,
} from '@opentelemetry/api';
import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { TRACER_NAME } from '../infra/tracing.ts';

const headerGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

/**
 * One server span per request, named by method and route template, continuing the caller's
 * `traceparent`; everything the request does runs inside it. Installed only when tracing is on.
 * The URL's query is left out (a WebSocket `?ticket=` is a credential).
 */
export function traceRequests(): MiddlewareHandler {
  const tracer = trace.getTracer(TRACER_NAME);
  return async (c, next) => {
    const method = c.req.method;
    const parent = propagation.extract(ROOT_CONTEXT, c.req.raw.headers, headerGetter);
    const span = tracer.startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': method, 'url.path': c.req.path },
      },
      parent,
    );
    try {
      await context.with(trace.setSpan(parent, span), next);
    } catch (error) {
      span.recordException(
        error instanceof Error ? error : { message: 'a non-Error value was thrown' },
      );
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      const route = matchedRoutes(c).findLast((r) => r.method !== 'ALL')?.path;
      if (route) {
        span.updateName(`${method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', c.res.status);
      if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  };
}
