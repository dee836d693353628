import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniqueEmail } from '../support/identity/http-client.ts';
import {
  isolatedDatabase,
  type IsolatedDatabase,
} from '../support/notifications/isolated-database.ts';
import { openSocket, type LiveClient } from '../support/notifications/live-client.ts';
import type { InboxPage, NotificationJson } from '../support/notifications/notifications-kit.ts';
import { flushQueueKeys, uniqueQueuePrefix } from '../support/notifications/queue-keys.ts';
import { startService, startWorker, type ServiceProcess } from '../support/process.ts';

/**
 * The deployment in miniature: two API instances and a worker, on a database and a BullMQ prefix
 * of this run's own. HTTP on one instance → outbox → worker → Redis → WebSocket on the other.
 */
const prefix = uniqueQueuePrefix('e2e');
let db: IsolatedDatabase;
let env: Record<string, string>;
let apiA: ServiceProcess;
let apiB: ServiceProcess;
let worker: ServiceProcess;
const clients: LiveClient[] = [];

beforeAll(async () => {
  db = await isolatedDatabase('e2e');
  env = {
    DATABASE_URL: db.url,
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: prefix,
    // Tokens issued by one instance are verified by the other: they share the secret.
    JWT_SECRET: randomBytes(48).toString('base64url'),
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
    RATE_LIMIT_USER_PER_MINUTE: '100000',
    // A job whose worker was killed is retried after this (BullMQ's default is 30 s).
    REMINDER_JOB_LOCK_MS: '2000',
    // The relay polls only every 10 minutes: what it relays within a test was woken by a NOTIFY
    // (or by the listener's catch-up as it connects).
    OUTBOX_POLL_INTERVAL_MS: '600000',
  };
  [apiA, apiB, worker] = await Promise.all([
    startService({ ...env, APP_ROLE: 'api' }),
    startService({ ...env, APP_ROLE: 'api' }),
    startWorker(env),
  ]);
});

afterAll(async () => {
  for (const client of clients) client.close();
  for (const service of [apiA, apiB, worker]) {
    if (service && service.child.exitCode === null) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  }
  await flushQueueKeys(inject('redisUrl'), prefix);
  await db?.drop();
});

interface User {
  userId: string;
  accessToken: string;
}

async function call<T>(port: number, method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

async function user(): Promise<User> {
  const out = await call<{ access_token: string; user: { id: string } }>(
    apiA.port,
    'POST',
    '/auth/register',
    undefined,
    { email: uniqueEmail('e2e'), password: 'a perfectly fine passphrase', full_name: 'E2E' },
  );
  await db.execute('update users set email_verified = true where id = ?', [out.user.id]);
  return { userId: out.user.id, accessToken: out.access_token };
}

async function listenOn(port: number, who: User, after?: string): Promise<LiveClient> {
  const client = await openSocket(port, { token: who.accessToken, ...(after ? { after } : {}) });
  clients.push(client);
  return client;
}

const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
const createTask = (owner: User, fields: Record<string, unknown>) =>
  call<{ id: string }>(apiA.port, 'POST', '/tasks', owner.accessToken, {
    title: 'End to end',
    ...fields,
  });
const inbox = (who: User) =>
  call<InboxPage>(apiB.port, 'GET', '/notifications?limit=100', who.accessToken);

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const dueSoonCount = async (who: User, taskIds: string[]) => {
  const { items } = await inbox(who);
  return items.filter((n) => n.type === 'task.due_soon' && taskIds.includes(n.task_id ?? ''))
    .length;
};

describe('notifications across processes', () => {
  it('pushes to a socket on instance B the assignment made through instance A, without polling', async () => {
    const owner = await user();
    const assignee = await user();
    const client = await listenOn(apiB.port, assignee);

    const task = await createTask(owner, { assignee_id: assignee.userId });

    const [received] = await client.waitFor(1, 15_000);
    expect(received).toMatchObject({
      type: 'task.assigned',
      task_id: task.id,
      actor_id: owner.userId,
    });
  });

  it('delivers a reminder a few seconds ahead at its time', async () => {
    const owner = await user();
    const client = await listenOn(apiB.port, owner);
    const remindAt = inSeconds(3);
    const task = await createTask(owner, { due_date: inSeconds(3600), remind_at: remindAt });

    const [received] = await client.waitFor(1, 10_000);

    expect(received).toMatchObject({ type: 'task.due_soon', task_id: task.id });
    expect(received?.data.reminder_at).toBe(remindAt);
    expect(Date.parse(received!.created_at)).toBeGreaterThanOrEqual(Date.parse(remindAt));
  });

  it('creates and delivers each notification exactly once when the worker is killed holding jobs', async () => {
    const owner = await user();
    const client = await listenOn(apiB.port, owner);
    const remindAt = inSeconds(3);
    const tasks = await Promise.all(
      Array.from({ length: 12 }, () =>
        createTask(owner, { due_date: inSeconds(3600), remind_at: remindAt }),
      ),
    );
    const taskIds = tasks.map((task) => task.id);
    // Wait until every reminder is a delayed job in Redis, then kill the worker just as they come
    // due: some are running then (their locks lapse and another run redoes them), some wait.
    await eventually(async () => {
      const [row] = await db.execute<{ pending: string }>(
        `select count(*) as pending from outbox_events where processed_at is null`,
      );
      return Number(row?.pending) === 0 ? true : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, Date.parse(remindAt) - Date.now() + 70));
    worker.child.kill('SIGKILL');
    await worker.exited;
    worker = await startWorker(env);

    await eventually(async () =>
      (await dueSoonCount(owner, taskIds)) >= taskIds.length ? true : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(await dueSoonCount(owner, taskIds)).toBe(taskIds.length);

    // Pushed at most once each; what a publish lost in the kill, a resume brings, once.
    const pushed = new Set(client.received.map((n) => n.id));
    expect(pushed.size).toBe(client.received.length);
    const last = client.received.at(-1);
    let resumed: NotificationJson[] = [];
    if (pushed.size < taskIds.length) {
      const again = await listenOn(apiB.port, owner, last?.id);
      resumed = await again.waitFor(taskIds.length - pushed.size, 5_000);
    }
    const all = [...client.received, ...resumed].map((n) => n.task_id).sort();
    expect(all).toEqual([...taskIds].sort());
  });

  it('still fires pending reminders after Redis lost this run’s keys and the worker restarted', async () => {
    const owner = await user();
    const remindAt = inSeconds(4);
    const tasks = await Promise.all(
      [1, 2, 3].map(() => createTask(owner, { due_date: inSeconds(3600), remind_at: remindAt })),
    );
    await eventually(async () => {
      const [row] = await db.execute<{ pending: string }>(
        `select count(*) as pending from outbox_events where processed_at is null`,
      );
      return Number(row?.pending) === 0 ? true : undefined;
    });
    worker.child.kill('SIGTERM');
    await worker.exited;
    expect(await flushQueueKeys(inject('redisUrl'), prefix)).toBeGreaterThan(0);
    worker = await startWorker(env);

    const taskIds = tasks.map((task) => task.id);
    await eventually(async () =>
      (await dueSoonCount(owner, taskIds)) === taskIds.length ? true : undefined,
    );
    const { items } = await inbox(owner);
    for (const n of items.filter((item) => item.type === 'task.due_soon')) {
      expect(Date.parse(n.created_at)).toBeGreaterThanOrEqual(Date.parse(remindAt));
    }
  });
});
