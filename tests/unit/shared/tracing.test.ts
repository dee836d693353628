import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sanitizeQuery } from '../../../src/shared/infra/tracing-pg.ts';
import {
  continueTraces,
  currentTraceCarrier,
  TRACER_NAME,
} from '../../../src/shared/infra/tracing.ts';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});
beforeEach(() => exporter.reset());

/** A carrier as a request would store it with its outbox row. */
function requestCarrier(name: string) {
  const span = trace.getTracer(TRACER_NAME).startSpan(name);
  const carrier = context.with(trace.setSpan(context.active(), span), () => currentTraceCarrier());
  span.end();
  return { span, carrier };
}

describe('query text on spans', () => {
  it('drops string, dollar-quoted and numeric literals, keeping the statement’s shape', () => {
    expect(
      sanitizeQuery(
        `select * from users where email = 'ada@example.com' and note = 'it''s' limit 20`,
      ),
    ).toBe('select * from users where email = ? and note = ? limit ?');
    expect(sanitizeQuery('update t set body = $x$secret$x$, n = 3.5 where id = $1')).toBe(
      'update t set body = ?, n = ? where id = $1',
    );
    expect(sanitizeQuery('select t1.id\n   from   tasks t1')).toBe('select t1.id from tasks t1');
  });
});

describe('continuing traces across processes', () => {
  it('has no carrier outside a span (tracing off or nothing traced)', () => {
    expect(currentTraceCarrier()).toBeUndefined();
  });

  it('makes the span the child of the one writer all the events came from', async () => {
    const { span, carrier } = requestCarrier('POST /api/v1/tasks');
    expect(carrier?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    const relay = continueTraces('outbox.relay', [carrier, carrier]);
    const inner = await relay.run(async () => currentTraceCarrier());
    relay.end();

    const [exported] = exporter.getFinishedSpans().filter((s) => s.name === 'outbox.relay');
    expect(exported?.spanContext().traceId).toBe(span.spanContext().traceId);
    expect(exported?.parentSpanContext?.spanId).toBe(span.spanContext().spanId);
    expect(exported?.links).toEqual([]);
    // Work inside the span carries the relay's own context on (to the socket push).
    expect(inner?.traceparent).toContain(exported?.spanContext().spanId);
  });

  it('starts a new trace linked to every writer when a batch mixes several', () => {
    const first = requestCarrier('PATCH /api/v1/tasks/{id}');
    const second = requestCarrier('POST /api/v1/tasks/{id}/comments');

    const relay = continueTraces('outbox.relay', [first.carrier, undefined, second.carrier]);
    relay.end(new Error('batch failed'));

    const [exported] = exporter.getFinishedSpans().filter((s) => s.name === 'outbox.relay');
    expect(exported?.parentSpanContext).toBeUndefined();
    expect(exported?.links.map((link) => link.context.spanId).sort()).toEqual(
      [first.span.spanContext().spanId, second.span.spanContext().spanId].sort(),
    );
    expect(exported?.status.code).toBe(2);
  });

  it('ignores a malformed carrier and starts a trace of its own', () => {
    const relay = continueTraces('outbox.relay', [{ traceparent: 'not-a-traceparent' }]);
    relay.end();

    const [exported] = exporter.getFinishedSpans();
    expect(exported?.parentSpanContext).toBeUndefined();
    expect(exported?.links).toEqual([]);
  });
});
