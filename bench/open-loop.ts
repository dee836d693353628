import { Pool } from 'undici';

/**
 * An open-loop load generator: requests leave on a fixed timetable whatever the server does, and
 * each latency runs from the request's scheduled send time, so queueing in a slow server (or in
 * the connection pool) shows in the figures instead of slowing the generator down. Loopback only,
 * bounded by a request count and a duration.
 */

export interface LoadRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Label for per-kind figures (e.g. `list`, `patch`). */
  kind?: string;
  /** Sees the answer (e.g. to keep a task's version); returns false to count it as an error. */
  check?: (status: number, body: string) => boolean;
}

export interface OpenLoopOptions {
  /** Several origins (instances of one service) take the requests in turn. */
  origin: string | string[];
  /** Requests per second. */
  rate: number;
  durationMs: number;
  /** Hard cap on requests sent, whatever the rate and duration. */
  maxRequests?: number;
  connections?: number;
  /** A request that has not finished this long after its scheduled time counts as an error. */
  timeoutMs?: number;
  next: (i: number) => LoadRequest;
}

export interface KindStats {
  sent: number;
  ok: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface OpenLoopResult extends KindStats {
  rate: number;
  achievedRate: number;
  statuses: Record<string, number>;
  byKind: Record<string, KindStats>;
}

const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)(:\d+)?$/;

export function assertLoopback(origin: string): void {
  if (!LOOPBACK.test(origin)) throw new Error(`load is only sent to loopback, not ${origin}`);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

function statsOf(latencies: number[], sent: number, errors: number): KindStats {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    sent,
    ok: latencies.length,
    errors,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const origins = Array.isArray(options.origin) ? options.origin : [options.origin];
  origins.forEach(assertLoopback);
  const total = Math.min(
    options.maxRequests ?? Number.POSITIVE_INFINITY,
    Math.floor((options.rate * options.durationMs) / 1000),
  );
  const interval = 1000 / options.rate;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pools = origins.map(
    (origin) =>
      new Pool(origin, {
        connections: options.connections ?? 64,
        pipelining: 1,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      }),
  );
  const kinds = new Map<string, { latencies: number[]; sent: number; errors: number }>();
  const kindOf = (name: string) => {
    let entry = kinds.get(name);
    if (!entry) kinds.set(name, (entry = { latencies: [], sent: 0, errors: 0 }));
    return entry;
  };
  const statuses: Record<string, number> = {};
  const inFlight: Array<Promise<void>> = [];
  const start = performance.now();

  const fire = async (request: LoadRequest, scheduled: number, pool: Pool) => {
    const entry = kindOf(request.kind ?? 'all');
    entry.sent++;
    // Late, it counts from its slot (the wait is the server's doing); sent up to 1 ms early
    // (timers are that coarse), from when it left, or a fast answer would read as negative.
    const from = Math.min(scheduled, performance.now());
    let status = 'error';
    try {
      const res = await pool.request({
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body,
      });
      const body = await res.body.text();
      status = String(res.statusCode);
      const latency = performance.now() - from;
      const good =
        res.statusCode < 400 &&
        latency <= timeoutMs &&
        (request.check ? request.check(res.statusCode, body) : true);
      if (good) entry.latencies.push(latency);
      else entry.errors++;
    } catch {
      entry.errors++;
    }
    statuses[status] = (statuses[status] ?? 0) + 1;
  };

  for (let i = 0; i < total; i++) {
    const scheduled = start + i * interval;
    const wait = scheduled - performance.now();
    // Sleep only when the next slot is ahead; a late generator catches up by sending at once.
    if (wait > 1) await sleep(wait);
    inFlight.push(fire(options.next(i), scheduled, pools[i % pools.length]!));
  }
  const sendSeconds = (performance.now() - start) / 1000;
  await Promise.all(inFlight);
  await Promise.all(pools.map((pool) => pool.close()));

  const all = { latencies: [] as number[], sent: 0, errors: 0 };
  const byKind: Record<string, KindStats> = {};
  for (const [name, entry] of kinds) {
    byKind[name] = statsOf(entry.latencies, entry.sent, entry.errors);
    all.latencies.push(...entry.latencies);
    all.sent += entry.sent;
    all.errors += entry.errors;
  }
  return {
    ...statsOf(all.latencies, all.sent, all.errors),
    rate: options.rate,
    achievedRate: total / Math.max(sendSeconds, 1e-9),
    statuses,
    byKind,
  };
}

export interface ClosedLoopResult {
  done: number;
  errors: number;
  perSecond: number;
  statuses: Record<string, number>;
}

/**
 * `workers` clients each sending their next request as soon as the last one answers, until
 * `durationMs` or `maxRequests`: a throughput ceiling (it hides queueing, so never a latency).
 */
export async function closedLoop(options: {
  origin: string;
  workers: number;
  durationMs: number;
  maxRequests?: number;
  next: (i: number) => LoadRequest;
  /** Stops early when it resolves (e.g. when a probe running alongside has finished). */
  until?: Promise<unknown>;
}): Promise<ClosedLoopResult> {
  assertLoopback(options.origin);
  const pool = new Pool(options.origin, { connections: options.workers, pipelining: 1 });
  const max = options.maxRequests ?? Number.POSITIVE_INFINITY;
  let stopped = false;
  void options.until?.then(() => (stopped = true));
  const deadline = performance.now() + options.durationMs;
  let issued = 0;
  let done = 0;
  let errors = 0;
  const statuses: Record<string, number> = {};
  const start = performance.now();
  await Promise.all(
    Array.from({ length: options.workers }, async () => {
      while (!stopped && issued < max && performance.now() < deadline) {
        const request = options.next(issued++);
        try {
          const res = await pool.request({
            method: request.method,
            path: request.path,
            headers: request.headers,
            body: request.body,
          });
          const body = await res.body.text();
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
          const good =
            res.statusCode < 400 && (request.check ? request.check(res.statusCode, body) : true);
          if (good) done++;
          else errors++;
        } catch {
          statuses.error = (statuses.error ?? 0) + 1;
          errors++;
          await sleep(10);
        }
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  await pool.close();
  return { done, errors, perSecond: done / seconds, statuses };
}
