import {
  context,
  diag,
  DiagLogLevel,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Link,
  type SpanContext,
} from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import type { Telemetry } from 'bullmq';
import type { Logger } from './logger.ts';

/** The scope of every span this service starts itself. */
export const TRACER_NAME = 'task-manager-api';

/** A trace context carried across processes in a row or a message (W3C `traceparent` fields). */
export type TraceCarrier = Record<string, string>;

export interface TracingSettings {
  /** OTLP/HTTP base URL; tracing is off without it. */
  endpoint: string | undefined;
  protocol: 'http/protobuf' | 'http/json';
  serviceName: string;
  /** Fraction of new traces kept; a request with a sampled parent is always kept. */
  sampleRatio: number;
  /** How often finished spans are sent. */
  exportDelayMs: number;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Adds `trace_id` and `span_id` to a log line written inside a span (pino `mixin`). */
  readonly logFields: (() => Record<string, string>) | undefined;
  /** BullMQ's own telemetry hook: its queue and worker spans join the active trace. */
  readonly bullmq: Telemetry | undefined;
  /**
   * Reports the SDK's own failures (an unreachable collector, dropped spans) to the log, at most
   * one line per `everyMs`, so a tracing outage is visible but never floods the log.
   */
  reportErrorsTo(logger: Logger, everyMs?: number): void;
  /** Sends the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

export const tracingOff: Tracing = {
  enabled: false,
  logFields: undefined,
  bullmq: undefined,
  reportErrorsTo: () => undefined,
  shutdown: () => Promise.resolve(),
};

/**
 * Starts the OpenTelemetry SDK when an OTLP endpoint is configured, and otherwise loads nothing:
 * the API's global no-op tracer remains, and no hook or middleware is installed.
 *
 * No module loader hooks: the SDK is registered by hand, and spans come from the libraries' own
 * hooks — ioredis's diagnostics channels, BullMQ's telemetry option, a wrapper of `pg`'s
 * `Client#query` (pg has no hook of its own) and a Hono middleware — so tracing works the same
 * under Node's type stripping, with no `--import` flag.
 */
export async function startTracing(
  settings: TracingSettings,
  process: { role: string; version: string },
): Promise<Tracing> {
  if (!settings.endpoint) return tracingOff;
  const [sdk, resources, core, asyncHooks, bullmqOtel, exporter, pgHook, redisHook] =
    await Promise.all([
      import('@opentelemetry/sdk-trace'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/core'),
      import('@opentelemetry/context-async-hooks'),
      import('bullmq-otel'),
      settings.protocol === 'http/json'
        ? import('@opentelemetry/exporter-trace-otlp-http')
        : import('@opentelemetry/exporter-trace-otlp-proto'),
      import('./tracing-pg.ts'),
      import('./tracing-redis.ts'),
    ]);
  const base = settings.endpoint.replace(/\/+$/, '');
  const resource = resources
    .resourceFromAttributes({
      'service.name': settings.serviceName,
      'service.version': process.version,
      'service.instance.id': randomUUID(),
      'process.pid': globalThis.process.pid,
      'app.role': process.role,
    })
    .merge(resources.detectResources({ detectors: [resources.resourceAttributesEnvDetector] }));
  const provider = new sdk.TracerProvider({
    resource,
    sampler: new sdk.ParentBasedSampler({
      root: new sdk.TraceIdRatioBasedSampler(settings.sampleRatio),
    }),
    spanProcessors: [
      new sdk.BatchSpanProcessor({
        exporter: new exporter.OTLPTraceExporter({ url: `${base}/v1/traces` }),
        scheduledDelayMillis: settings.exportDelayMs,
      }),
    ],
  });
  context.setGlobalContextManager(new asyncHooks.AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new core.CompositePropagator({
      propagators: [new core.W3CTraceContextPropagator(), new core.W3CBaggagePropagator()],
    }),
  );
  trace.setGlobalTracerProvider(provider);
  const tracer = trace.getTracer(TRACER_NAME, process.version);
  const unhookPg = pgHook.tracePg(tracer);
  const unhookRedis = redisHook.traceRedis(tracer);
  return {
    enabled: true,
    logFields: (): Record<string, string> => {
      const span = trace.getSpanContext(context.active());
      return span ? { trace_id: span.traceId, span_id: span.spanId } : {};
    },
    bullmq: new bullmqOtel.BullMQOtel({ tracerName: TRACER_NAME, version: process.version }),
    reportErrorsTo(logger, everyMs = 60_000) {
      let last = -Infinity;
      let suppressed = 0;
      const report = (message: string) => {
        const now = Date.now();
        if (now - last < everyMs) {
          suppressed += 1;
          return;
        }
        logger.warn({ err: { message: message.slice(0, 500) }, suppressed }, 'tracing failure');
        last = now;
        suppressed = 0;
      };
      core.setGlobalErrorHandler((error) =>
        report(error instanceof Error ? error.message : JSON.stringify(error)),
      );
      diag.setLogger(
        {
          error: (message) => report(message),
          warn: (message) => report(message),
          info: () => undefined,
          debug: () => undefined,
          verbose: () => undefined,
        },
        { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
      );
    },
    async shutdown() {
      unhookPg();
      unhookRedis();
      await provider.shutdown().catch(() => undefined);
    },
  };
}

/** The active trace context as a carrier, or undefined outside a recorded span (tracing off). */
export function currentTraceCarrier(): TraceCarrier | undefined {
  if (!trace.getSpan(context.active())?.isRecording()) return undefined;
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return Object.keys(carrier).length > 0 ? carrier : undefined;
}

function spanContextOf(carrier: Readonly<TraceCarrier>): SpanContext | undefined {
  const spanContext = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, carrier));
  return spanContext && trace.isSpanContextValid(spanContext) ? spanContext : undefined;
}

export interface ContinuedTrace {
  /** Runs `work` inside the span. */
  run<T>(work: () => Promise<T>): Promise<T>;
  end(error?: unknown): void;
}

/**
 * A span that continues the traces the carriers came from: their child when they all name one
 * span (one request's events), otherwise a new trace linked to each of them (a batch).
 */
export function continueTraces(
  name: string,
  carriers: ReadonlyArray<Readonly<TraceCarrier> | undefined>,
  attributes: Record<string, string | number | string[]> = {},
): ContinuedTrace {
  const origins = new Map<string, SpanContext>();
  for (const carrier of carriers) {
    const origin = carrier && spanContextOf(carrier);
    if (origin) origins.set(`${origin.traceId}/${origin.spanId}`, origin);
  }
  const [only] = origins.values();
  const parent: Context =
    origins.size === 1 && only ? trace.setSpanContext(ROOT_CONTEXT, only) : ROOT_CONTEXT;
  const links: Link[] =
    origins.size > 1 ? [...origins.values()].map((origin) => ({ context: origin })) : [];
  const span = trace
    .getTracer(TRACER_NAME)
    .startSpan(name, { kind: SpanKind.CONSUMER, links, attributes }, parent);
  const active = trace.setSpan(parent, span);
  return {
    run: (work) => context.with(active, work),
    end(error) {
      if (error !== undefined) {
        span.recordException(
          error instanceof Error ? error : { message: 'a non-Error value was thrown' },
        );
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
  };
}
