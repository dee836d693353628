import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import diagnostics from 'node:diagnostics_channel';

/** What ioredis publishes on its `ioredis:command` tracing channel. */
interface CommandMessage {
  command?: string;
  args?: string[];
  database?: number;
  serverAddress?: string;
  serverPort?: number;
  batchMode?: string;
  batchSize?: number;
  error?: unknown;
}

/** Longest statement text kept on a span. */
const MAX_STATEMENT = 500;

/**
 * Spans for Redis commands from ioredis's own tracing channels (its arguments come already
 * redacted by ioredis). Like the PostgreSQL spans, only inside a traced operation: BullMQ's
 * blocking polls and idle heartbeats make none. Returns the undo.
 */
export function traceRedis(tracer: Tracer): () => void {
  const spans = new WeakMap<object, Span>();
  const start = (message: CommandMessage, name: string) => {
    const parent = context.active();
    if (!trace.getSpan(parent)?.isRecording()) return;
    const statement = message.command
      ? [message.command, ...(message.args ?? [])].join(' ').slice(0, MAX_STATEMENT)
      : undefined;
    spans.set(
      message,
      tracer.startSpan(
        name,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            'db.system.name': 'redis',
            'db.namespace': String(message.database ?? 0),
            ...(message.command ? { 'db.operation.name': message.command.toUpperCase() } : {}),
            ...(statement ? { 'db.query.text': statement } : {}),
            ...(message.batchSize === undefined
              ? {}
              : { 'db.operation.batch.size': message.batchSize }),
            ...(message.serverAddress ? { 'server.address': message.serverAddress } : {}),
            ...(message.serverPort ? { 'server.port': message.serverPort } : {}),
          },
        },
        parent,
      ),
    );
  };
  const end = (message: CommandMessage) => {
    const span = spans.get(message);
    if (!span) return;
    spans.delete(message);
    if (message.error !== undefined) {
      span.recordException(
        message.error instanceof Error
          ? message.error
          : { message: 'a non-Error value was thrown' },
      );
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  };
  const command = {
    start: (message: unknown) => {
      const m = message as CommandMessage;
      start(m, `redis ${(m.command ?? 'command').toUpperCase()}`);
    },
    asyncEnd: (message: unknown) => end(message as CommandMessage),
    end: () => undefined,
    asyncStart: () => undefined,
    error: () => undefined,
  };
  const batch = {
    start: (message: unknown) => start(message as CommandMessage, 'redis MULTI'),
    asyncEnd: (message: unknown) => end(message as CommandMessage),
    end: () => undefined,
    asyncStart: () => undefined,
    error: () => undefined,
  };
  const commands = diagnostics.tracingChannel('ioredis:command');
  const batches = diagnostics.tracingChannel('ioredis:batch');
  commands.subscribe(command);
  batches.subscribe(batch);
  return () => {
    commands.unsubscribe(command);
    batches.unsubscribe(batch);
  };
}
