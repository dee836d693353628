import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { entities } from '../src/container.ts';
import { initOrm, migrate } from '../src/shared/infra/orm.ts';
import { startService, startWorker, type ServiceProcess } from '../tests/support/process.ts';
import { flushQueueKeys, uniqueQueuePrefix } from '../tests/support/notifications/queue-keys.ts';
import { fmt } from './support.ts';

const ASSIGNMENTS = 100;
/** Unmeasured assignments first: a cold process's first requests are not what is measured. */
const WARM_UP = 5;
const REMINDERS = 20;
/** Reminder delays spread over 3–6 s. */
const delayMs = (i: number) => 3000 + Math.round((3000 * i) / (REMINDERS - 1));

interface Frame {
  type: string;
  task_id: string | null;
  data: Record<string, unknown>;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
const summary = (values: number[]) =>
  `p50 ${fmt(percentile(values, 50))} ms, p99 ${fmt(percentile(values, 99))} ms (n=${values.length})`;

/** A socket that records, per notification type and task, when (epoch ms) its frame arrived. */
function listen(port: number, token: string) {
  const arrivals = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/ws`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  socket.on('message', (raw: Buffer) => {
    const at = Date.now();
    const frame = JSON.parse(raw.toString('utf8')) as { type: string; data: Frame };
    if (frame.type !== 'notification') return;
    const key = `${frame.data.type}/${frame.data.task_id}`;
    if (!arrivals.has(key)) arrivals.set(key, at);
    waiters.get(key)?.();
  });
  const arrival = (type: string, taskId: string, timeoutMs = 15_000) => {
    const key = `${type}/${taskId}`;
    const known = arrivals.get(key);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${key} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      waiters.set(key, () => {
        clearTimeout(timer);
        waiters.delete(key);
        resolve(arrivals.get(key)!);
      });
    });
  };
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, arrival, opened };
}

/**
 * Notifications end to end, with real processes: two API instances and a worker on a database of
 * their own. Delivery latency (HTTP request → WebSocket frame) on the same and on another
 * instance, woken by LISTEN/NOTIFY against a polling-only worker; reminder lateness against a
 * plain BullMQ delayed job measured in the same run.
 */
export async function notificationsBench(): Promise<string[]> {
  const base = new URL(
    process.env.BENCH_DATABASE_URL ??
      process.env.DATABASE_URL ??
      'postgres://postgres@127.0.0.1:5432/task_manager',
  );
  base.pathname = '/task_manager_bench_notifications';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const orm = await initOrm({ databaseUrl: base.toString(), entities, poolMax: 2 });
  await migrate(orm);
  const sql = orm.em.getConnection();

  const prefix = uniqueQueuePrefix('bench-notif');
  const env = {
    DATABASE_URL: base.toString(),
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'info',
    RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
    RATE_LIMIT_USER_PER_MINUTE: '1000000',
  };
  const services: ServiceProcess[] = [];
  const sockets: WebSocket[] = [];
  const bullPrefix = uniqueQueuePrefix('bench-bullmq');
  const lines: string[] = [];
  try {
    services.push(
      ...(await Promise.all([
        startService({ ...env, APP_ROLE: 'api' }),
        startService({ ...env, APP_ROLE: 'api' }),
        startWorker(env),
      ])),
    );
    const [api1, api2] = services as [ServiceProcess, ServiceProcess, ServiceProcess];

    const call = async <T>(method: string, path: string, token?: string, body?: unknown) => {
      const res = await fetch(`http://127.0.0.1:${api1.port}/api/v1${path}`, {
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
    const user = async () => {
      const out = await call<{ access_token: string; user: { id: string } }>(
        'POST',
        '/auth/register',
        undefined,
        {
          email: `bench-${randomUUID()}@example.test`,
          password: 'a perfectly fine passphrase',
          full_name: 'Bench',
        },
      );
      await sql.execute('update users set email_verified = true where id = ?', [out.user.id]);
      return { id: out.user.id, token: out.access_token };
    };

    // 1. Assignment latency: A creates a task assigned to B on instance 1; B listens on both.
    // First with the worker woken by LISTEN/NOTIFY, then with a polling-only worker (the relay's
    // former setting: every 200 ms) against the same API instances.
    const a = await user();
    const b = await user();
    const same = listen(api1.port, b.token);
    const cross = listen(api2.port, b.token);
    sockets.push(same.socket, cross.socket);
    await Promise.all([same.opened, cross.opened]);
    const assignments = async (label: string) => {
      const sameMs: number[] = [];
      const crossMs: number[] = [];
      const responseMs: number[] = [];
      for (let i = 0; i < WARM_UP + ASSIGNMENTS; i++) {
        const sent = Date.now();
        const task = await call<{ id: string }>('POST', '/tasks', a.token, {
          title: `Bench ${label} ${i}`,
          assignee_id: b.id,
        });
        const answered = Date.now();
        const [s, c] = await Promise.all([
          same.arrival('task.assigned', task.id),
          cross.arrival('task.assigned', task.id),
        ]);
        if (i < WARM_UP) continue;
        responseMs.push(answered - sent);
        sameMs.push(s - sent);
        crossMs.push(c - sent);
      }
      return { sameMs, crossMs, responseMs };
    };
    const notified = await assignments('listen');
    const listeningWorker = services[2]!;
    listeningWorker.child.kill('SIGTERM');
    await listeningWorker.exited;
    services[2] = await startWorker({
      ...env,
      OUTBOX_LISTEN: 'false',
      OUTBOX_POLL_INTERVAL_MS: '200',
    });
    const polled = await assignments('poll');
    // The remaining sections run with the LISTEN worker again.
    const pollingWorker = services[2];
    pollingWorker.child.kill('SIGTERM');
    await pollingWorker.exited;
    services[2] = await startWorker(env);
    const p99 = (values: number[]) => percentile(values, 99);
    lines.push(
      `task.assigned HTTP request → WebSocket frame (2 API instances + 1 worker, sequential, n=${ASSIGNMENTS} each):`,
      `  LISTEN/NOTIFY (poll 5 s):  same instance ${summary(notified.sameMs)}; cross-instance ${summary(notified.crossMs)}`,
      `  polling only (every 200 ms): same instance ${summary(polled.sameMs)}; cross-instance ${summary(polled.crossMs)}`,
      `  of which the HTTP response itself: LISTEN run ${summary(notified.responseMs)}; polling run ${summary(polled.responseMs)}`,
      `  cross-instance p99 LISTEN / polling: ${fmt(p99(notified.crossMs) / p99(polled.crossMs), 2)} ` +
        `(goal: LISTEN p99 ≤ 100 ms: ${p99(notified.crossMs) <= 100 ? 'met' : 'NOT met'})`,
    );

    // 2. Reminder lateness: M tasks with remind_at 3–6 s ahead, owner listening on instance 2.
    const owner = await user();
    const reminded = listen(api2.port, owner.token);
    sockets.push(reminded.socket);
    await reminded.opened;
    const start = Date.now();
    const tasks = await Promise.all(
      Array.from({ length: REMINDERS }, async (_, i) => {
        const remindAt = new Date(start + delayMs(i));
        const task = await call<{ id: string }>('POST', '/tasks', owner.token, {
          title: `Reminder ${i}`,
          due_date: new Date(start + 3_600_000).toISOString(),
          remind_at: remindAt.toISOString(),
        });
        return { id: task.id, remindAt: remindAt.getTime() };
      }),
    );
    const reminderLate = await Promise.all(
      tasks.map(async (t) => (await reminded.arrival('task.due_soon', t.id, 20_000)) - t.remindAt),
    );

    // Baseline: a plain BullMQ delayed job in this process, with the same delays.
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const queue = new Queue('bench-baseline', { connection, prefix: bullPrefix });
    const bullLate: number[] = [];
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const worker = new Worker(
      'bench-baseline',
      (job) => {
        bullLate.push(Date.now() - (job.data as { at: number }).at);
        if (bullLate.length === REMINDERS) finish();
        return Promise.resolve();
      },
      { connection: connection.duplicate(), prefix: bullPrefix },
    );
    try {
      await worker.waitUntilReady();
      const bullStart = Date.now();
      await Promise.all(
        Array.from({ length: REMINDERS }, (_, i) => {
          const at = bullStart + delayMs(i);
          return queue.add('remind', { at }, { delay: at - Date.now(), removeOnComplete: true });
        }),
      );
      await Promise.race([
        done,
        new Promise((_, reject) => setTimeout(() => reject(new Error('BullMQ timed out')), 20_000)),
      ]);
    } finally {
      await worker.close();
      await queue.close();
      connection.disconnect();
      await flushQueueKeys(redisUrl, bullPrefix);
    }
    const ratio = (p: number) => fmt(percentile(reminderLate, p) / percentile(bullLate, p), 2);
    lines.push(
      `reminder lateness (task.due_soon frame − remind_at, ${REMINDERS} due 3–6 s ahead): ${summary(reminderLate)}; ` +
        `plain BullMQ delayed job (processing start − scheduled): ${summary(bullLate)}; ` +
        `ratio p50 ${ratio(50)}, p99 ${ratio(99)}`,
    );
    return lines;
  } finally {
    for (const socket of sockets) socket.terminate();
    for (const service of services) {
      if (service.child.exitCode === null && service.child.signalCode === null) {
        service.child.kill('SIGTERM');
        await service.exited;
      }
    }
    await flushQueueKeys(redisUrl, prefix);
    await orm.close();
  }
}
