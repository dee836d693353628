import { entities } from '../src/container.ts';
import { initOrm, migrate } from '../src/shared/infra/orm.ts';
import { flushQueueKeys, uniqueQueuePrefix } from '../tests/support/notifications/queue-keys.ts';
import { startService, startWorker, type ServiceProcess } from '../tests/support/process.ts';
import { ScriptedReceiver, type Arrival } from '../tests/support/webhooks/scripted-receiver.ts';
import { fmt } from './support.ts';

const LATENCY_EVENTS = 100;
/** Unmeasured events first: a cold process's first requests are not what is measured. */
const WARM_UP = 5;
const THROUGHPUT_EVENTS = 500;
/** Requests in flight while the backlog of events is made (the worker is stopped meanwhile). */
const BACKLOG_CONCURRENCY = 8;
const SLOW_RECEIVER_MS = 50;
const PER_ENDPOINT = 4;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
const summary = (values: number[]) =>
  `p50 ${fmt(percentile(values, 50))} ms, p99 ${fmt(percentile(values, 99))} ms (n=${values.length})`;

interface Body {
  type: string;
  timestamp: string;
  data: { task_id: string | null };
}
const bodyOf = (arrival: Arrival) => JSON.parse(arrival.body) as Body;

/**
 * Webhooks end to end, with real processes (an API instance and a worker on a database of their
 * own) and a receiver on 127.0.0.1 that answers 204: event → delivery latency, and deliveries per
 * second to one endpoint at the per-endpoint concurrency cap, from a backlog.
 */
export async function webhooksBench(): Promise<string[]> {
  const base = new URL(
    process.env.BENCH_DATABASE_URL ??
      process.env.DATABASE_URL ??
      'postgres://postgres@127.0.0.1:5432/task_manager',
  );
  base.pathname = '/task_manager_bench_webhooks';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const orm = await initOrm({ databaseUrl: base.toString(), entities, poolMax: 2 });
  await migrate(orm);
  const sql = orm.em.getConnection();

  const prefix = uniqueQueuePrefix('bench-webhooks');
  const env = {
    DATABASE_URL: base.toString(),
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'info',
    RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
    RATE_LIMIT_USER_PER_MINUTE: '1000000',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    WEBHOOK_MAX_CONCURRENT_PER_ENDPOINT: String(PER_ENDPOINT),
  };
  const receiver = await ScriptedReceiver.start();
  // Every process started, so that a failure part-way still stops them all.
  const started: ServiceProcess[] = [];
  const run = async (start: Promise<ServiceProcess>) => {
    const service = await start;
    started.push(service);
    return service;
  };
  const lines: string[] = [];
  try {
    const api = await run(startService({ ...env, APP_ROLE: 'api' }));
    let worker = await run(startWorker(env));
    const port = api.port;
    const call = async <T>(method: string, path: string, token?: string, body?: unknown) => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (res.status >= 300)
        throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };
    const owner = await call<{ access_token: string; user: { id: string } }>(
      'POST',
      '/auth/register',
      undefined,
      {
        email: `bench-${crypto.randomUUID()}@example.test`,
        password: 'a perfectly fine passphrase',
        full_name: 'Bench',
      },
    );
    await sql.execute('update users set email_verified = true where id = ?', [owner.user.id]);
    const token = owner.access_token;
    await call('POST', '/webhooks', token, {
      url: receiver.url,
      events: ['task.status_changed'],
    });
    /** One `task.status_changed` event; resolves its task id and when the change was answered. */
    const statusChange = async (i: number) => {
      const task = await call<{ id: string; version: number }>('POST', '/tasks', token, {
        title: `Hook ${i}`,
      });
      await call('PATCH', `/tasks/${task.id}`, token, {
        status: 'completed',
        version: task.version,
      });
      return { taskId: task.id, answeredAt: Date.now() };
    };
    const arrivalOf = async (taskId: string, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = receiver.arrivals.find((a) => bodyOf(a).data.task_id === taskId);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no delivery for ${taskId}`);
        await receiver.waitFor(receiver.arrivals.length + 1, deadline - Date.now()).catch(() => []);
      }
    };

    // 1. Latency, one event at a time, with a receiver that answers at once.
    const fromEvent: number[] = [];
    const fromAnswer: number[] = [];
    for (let i = 0; i < WARM_UP + LATENCY_EVENTS; i++) {
      const { taskId, answeredAt } = await statusChange(i);
      const arrival = await arrivalOf(taskId);
      if (i < WARM_UP) continue;
      fromEvent.push(arrival.at - Date.parse(bodyOf(arrival).timestamp));
      fromAnswer.push(arrival.at - answeredAt);
    }
    const p99 = percentile(fromEvent, 99);
    lines.push(
      `event → webhook delivery latency (1 API + 1 worker, receiver on 127.0.0.1 answering 204, sequential):`,
      `  from the event's time in the transaction (≤ its commit): ${summary(fromEvent)} ` +
        `(goal p99 ≤ 1000 ms: ${p99 <= 1000 ? 'met' : 'NOT met'})`,
      `  from the HTTP answer to the change (≥ its commit):       ${summary(fromAnswer)}`,
    );

    // 2. Throughput to one endpoint: a backlog of events made while the worker is stopped, then
    // sent by a fresh worker; deliveries/s between the first and the last arrival.
    const throughput = async (afterMs: number) => {
      worker.child.kill('SIGTERM');
      await worker.exited;
      receiver.script = () => ({ status: 204, afterMs });
      receiver.maxInFlight = 0;
      const before = receiver.arrivals.length;
      let next = 0;
      await Promise.all(
        Array.from({ length: BACKLOG_CONCURRENCY }, async () => {
          while (next < THROUGHPUT_EVENTS) await statusChange(next++);
        }),
      );
      worker = await run(startWorker(env));
      const batch = await receiver
        .waitFor(before + THROUGHPUT_EVENTS, 120_000)
        .then((all) => all.slice(before));
      const seconds = (batch.at(-1)!.at - batch[0]!.at) / 1000;
      return { perSecond: (THROUGHPUT_EVENTS - 1) / seconds, maxInFlight: receiver.maxInFlight };
    };
    const fast = await throughput(0);
    const slow = await throughput(SLOW_RECEIVER_MS);
    lines.push(
      `delivery throughput to one endpoint (cap ${PER_ENDPOINT} at once, worker concurrency 16, backlog of ${THROUGHPUT_EVENTS}):`,
      `  receiver answering at once:        ${fmt(fast.perSecond)} deliveries/s, at most ${fast.maxInFlight} in flight`,
      `  receiver answering after ${SLOW_RECEIVER_MS} ms:   ${fmt(slow.perSecond)} deliveries/s, at most ${slow.maxInFlight} in flight ` +
        `(the cap allows ${fmt((PER_ENDPOINT * 1000) / SLOW_RECEIVER_MS)}/s)`,
      `  command: npm run bench -- webhooks`,
    );
    return lines;
  } finally {
    for (const service of started) {
      if (service.child.exitCode === null && service.child.signalCode === null) {
        service.child.kill('SIGTERM');
        await service.exited;
      }
    }
    await receiver.close();
    await flushQueueKeys(redisUrl, prefix);
    await orm.close();
  }
}
