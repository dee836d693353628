import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  /** What became of requests with an `Idempotency-Key` (stored, replayed, refused, ...). */
  idempotencyOutcomes: Counter<'outcome'>;
}

/** One registry per container, so several app instances (tests) never share counters. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const idempotencyOutcomes = new Counter({
    name: 'idempotency_requests_total',
    help: 'Requests with an Idempotency-Key, by outcome: stored, replayed, in_progress (409), key_reused (422), not_stored (5xx, not final, or the store failed), lease_lost.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  return { registry, httpRequestDuration, idempotencyOutcomes };
}
