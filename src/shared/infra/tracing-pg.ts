import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import pg from 'pg';

type Query = (...args: unknown[]) => unknown;

/** Longest query text kept on a span. */
const MAX_QUERY_TEXT = 2_000;

/**
 * The query text without its literals. MikroORM inlines values into the SQL it sends, so the raw
 * text would carry emails, token hashes and the like into the trace backend.
 */
export function sanitizeQuery(text: string): string {
  return text
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\$(\w*)\$[\s\S]*?\$\1\$/g, '?')
    .replace(/(?<![\w$.])\d+(?:\.\d+)?\b/g, '?')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_QUERY_TEXT);
}

/**
 * Wraps `pg`'s `Client#query` (every pool client, MikroORM's included: they share the one `pg`
 * module) so that each query made inside a traced operation becomes its child span. Outside a
 * trace (background polling with nothing to do) no span is made. Returns the undo.
 */
export function tracePg(tracer: Tracer): () => void {
  const prototype = pg.Client.prototype as unknown as { query: Query };
  const original = prototype.query;
  prototype.query = function tracedQuery(this: pg.Client, ...args: unknown[]) {
    const parent = context.active();
    const first = args[0] as string | { text?: unknown; submit?: unknown } | undefined;
    const text =
      typeof first === 'string'
        ? first
        : first && typeof first.text === 'string' && typeof first.submit !== 'function'
          ? first.text
          : undefined;
    if (text === undefined || !trace.getSpan(parent)?.isRecording()) {
      return original.apply(this, args);
    }
    const operation = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? 'QUERY';
    const span = tracer.startSpan(
      `pg ${operation}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': 'postgresql',
          'db.operation.name': operation,
          'db.query.text': sanitizeQuery(text),
          'db.namespace': this.database ?? '',
          'server.address': this.host,
          'server.port': this.port,
        },
      },
      parent,
    );
    const callback = args.at(-1);
    if (typeof callback === 'function') {
      args[args.length - 1] = function (this: unknown, error: unknown, ...rest: unknown[]) {
        finish(span, error);
        return (callback as (...a: unknown[]) => unknown).call(this, error, ...rest);
      };
      return original.apply(this, args);
    }
    let result: unknown;
    try {
      result = original.apply(this, args);
    } catch (error) {
      finish(span, error);
      throw error;
    }
    if (result instanceof Promise) {
      result.then(
        () => finish(span),
        (error: unknown) => finish(span, error),
      );
    } else finish(span);
    return result;
  };
  return () => {
    prototype.query = original;
  };
}

function finish(span: Span, error?: unknown): void {
  if (error) {
    span.recordException(
      error instanceof Error ? error : { message: 'a non-Error value was thrown' },
    );
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}
