import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  isolatedDatabase,
  type IsolatedDatabase,
} from '../support/notifications/isolated-database.ts';
import { flushQueueKeys, uniqueQueuePrefix } from '../support/notifications/queue-keys.ts';
import { startService, startWorker, type ServiceProcess } from '../support/process.ts';
import { ApiClient, baseEnv, eventually, signUp } from '../support/webhooks/e2e-kit.ts';
import { closedPort, ScriptedReceiver } from '../support/webhooks/scripted-receiver.ts';
import type { DeliveryJson, WebhookJson } from '../support/webhooks/webhooks-kit.ts';

/**
 * Webhooks as deployed: an API process and a worker process with the production transport (the
 * signing sender, BullMQ, Redis endpoint slots, the real retry schedule), receivers on 127.0.0.1.
 */
const prefix = uniqueQueuePrefix('e2e-webhooks');
/** Short enough for a test to outwait, long enough for a loopback receiver to answer. */
const TIMEOUT_MS = 1_000;
/** The first retry waits 30 s ± 20 %; a test that needs it waits this long. */
const FIRST_RETRY_WITHIN_MS = 45_000;
let db: IsolatedDatabase;
let env: Record<string, string>;
let api: ServiceProcess;
let worker: ServiceProcess;
const receivers: ScriptedReceiver[] = [];

beforeAll(async () => {
  db = await isolatedDatabase('e2e_webhooks');
  env = {
    ...baseEnv(),
    DATABASE_URL: db.url,
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: prefix,
    WEBHOOK_ALLOW_PRIVATE: 'true',
    WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
    // A killed worker's job runs again after at most twice this (BullMQ's default lock: 30 s).
    WEBHOOK_JOB_LOCK_MS: '2000',
  };
  [api, worker] = await Promise.all([startService({ ...env, APP_ROLE: 'api' }), startWorker(env)]);
});

afterAll(async () => {
  await Promise.all(receivers.map((receiver) => receiver.close()));
  for (const service of [api, worker]) {
    if (service && service.child.exitCode === null) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  }
  await flushQueueKeys(inject('redisUrl'), prefix);
  await db?.drop();
});

async function receiver(options: { port?: number } = {}): Promise<ScriptedReceiver> {
  const started = await ScriptedReceiver.start(options);
  receivers.push(started);
  return started;
}

async function hook(client: ApiClient, url: string, events = ['task.status_changed']) {
  return client.expect<WebhookJson & { secret: string }>(201, 'POST', '/webhooks', { url, events });
}

/** A task whose status then changes: one `task.status_changed` event, the client acting. */
async function statusChange(client: ApiClient): Promise<string> {
  const task = await client.expect<{ id: string; version: number }>(201, 'POST', '/tasks', {
    title: 'Hooked',
  });
  await client.expect(200, 'PATCH', `/tasks/${task.id}`, {
    status: 'in_progress',
    version: task.version,
  });
  return task.id;
}

const onlyDelivery = async (client: ApiClient, webhookId: string) => {
  const { items } = await client.deliveries(webhookId);
  expect(items).toHaveLength(1);
  return items[0]!;
};

/** Waits until the webhook's single delivery satisfies `done`. */
const deliveryWhen = (
  client: ApiClient,
  webhookId: string,
  done: (delivery: DeliveryJson) => boolean,
  timeoutMs = 15_000,
) =>
  eventually(
    async () => {
      const { items } = await client.deliveries(webhookId);
      return items.length === 1 && done(items[0]!) ? items[0] : undefined;
    },
    timeoutMs,
    `a delivery of ${webhookId}`,
  );

describe('webhooks across processes', () => {
  it('delivers a task event signed as Standard Webhooks, which an independent verifier accepts', async () => {
    const owner = await signUp(api.port, db);
    const target = await receiver();
    const created = await hook(owner, target.url);
    const taskId = await statusChange(owner);
    const task = await owner.expect<{ project_id: string }>(200, 'GET', `/tasks/${taskId}`);

    const [arrival] = await target.waitFor(1, 15_000);
    const payload = new StandardWebhook(created.secret).verify(arrival!.body, {
      'webhook-id': String(arrival!.headers['webhook-id']),
      'webhook-timestamp': String(arrival!.headers['webhook-timestamp']),
      'webhook-signature': String(arrival!.headers['webhook-signature']),
    }) as Record<string, unknown>;

    expect(arrival!.headers['content-type']).toBe('application/json');
    expect(payload).toEqual({
      type: 'task.status_changed',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      data: {
        id: expect.any(String),
        type: 'task.status_changed',
        task_id: taskId,
        project_id: task.project_id,
        actor_id: expect.any(String),
        data: expect.objectContaining({ title: 'Hooked' }),
        created_at: expect.any(String),
      },
    });
    const delivery = await deliveryWhen(owner, created.id, (d) => d.status === 'succeeded');
    expect(arrival!.headers['webhook-id']).toBe(delivery.id);
    expect(delivery).toMatchObject({ attempts: 1, last_status_code: 204, last_error: null });

    // A manual redelivery is the same message again: same webhook-id, verifiable.
    await owner.expect(202, 'POST', `/webhooks/${created.id}/deliveries/${delivery.id}/redeliver`);
    const [, again] = await target.waitFor(2, 15_000);
    expect(again!.headers['webhook-id']).toBe(delivery.id);
    expect(() =>
      new StandardWebhook(created.secret).verify(again!.body, {
        'webhook-id': String(again!.headers['webhook-id']),
        'webhook-timestamp': String(again!.headers['webhook-timestamp']),
        'webhook-signature': String(again!.headers['webhook-signature']),
      }),
    ).not.toThrow();
    expect(again!.body).toBe(arrival!.body);
  });

  it(
    'retries after a 500, after a timeout and after a refused connection, at the first retry of the schedule',
    async () => {
      const owner = await signUp(api.port, db);
      const failing = await receiver();
      failing.script = (index) => ({ status: index === 0 ? 500 : 204 });
      const slow = await receiver();
      slow.script = (index) => (index === 0 ? 'hold' : { status: 204 });
      const laterPort = await closedPort();
      const [hook500, hookSlow, hookDown] = await Promise.all([
        hook(owner, failing.url),
        hook(owner, slow.url),
        hook(owner, `http://127.0.0.1:${laterPort}/hook`),
      ]);
      await statusChange(owner);

      // Every first attempt failed, each in its own way, and its retry is scheduled.
      const firstAttempt = (d: DeliveryJson) => d.attempts === 1 && d.status === 'pending';
      const [after500, afterTimeout, afterRefusal] = await Promise.all([
        deliveryWhen(owner, hook500.id, firstAttempt),
        deliveryWhen(owner, hookSlow.id, firstAttempt),
        deliveryWhen(owner, hookDown.id, firstAttempt),
      ]);
      expect(after500).toMatchObject({ last_status_code: 500 });
      expect(afterTimeout).toMatchObject({ last_status_code: null });
      expect(afterTimeout.last_error).toMatch(/time/i);
      expect(afterTimeout.duration_ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      expect(afterRefusal).toMatchObject({ last_status_code: null });
      expect(afterRefusal.last_error).toMatch(/refused/i);
      for (const d of [after500, afterTimeout, afterRefusal]) {
        const waitMs = Date.parse(d.next_attempt_at!) - Date.parse(d.last_attempt_at!);
        expect(waitMs).toBeGreaterThanOrEqual(24_000);
        expect(waitMs).toBeLessThanOrEqual(36_000);
      }
      const revived = await receiver({ port: laterPort });

      const succeeded = (d: DeliveryJson) => d.status === 'succeeded' && d.attempts === 2;
      const done = await Promise.all(
        [hook500, hookSlow, hookDown].map((h) =>
          deliveryWhen(owner, h.id, succeeded, FIRST_RETRY_WITHIN_MS),
        ),
      );
      for (const [target, delivery] of [
        [failing, done[0]!],
        [slow, done[1]!],
        [revived, done[2]!],
      ] as const) {
        const ids = target.arrivals.map((a) => a.headers['webhook-id']);
        expect(new Set(ids)).toEqual(new Set([delivery.id]));
      }
      expect(failing.arrivals).toHaveLength(2);
      expect(failing.arrivals[1]!.at - failing.arrivals[0]!.at).toBeGreaterThanOrEqual(24_000);
      expect(slow.arrivals).toHaveLength(2);
      expect(revived.arrivals).toHaveLength(1);
    },
    FIRST_RETRY_WITHIN_MS + 30_000,
  );

  it('delivers what a worker SIGKILLed mid-request was sending, under the same webhook-id', async () => {
    const owner = await signUp(api.port, db);
    const target = await receiver();
    // The first request is held open: the worker is killed while it waits for the answer.
    target.script = (index) => (index === 0 ? 'hold' : { status: 204 });
    const created = await hook(owner, target.url);
    await statusChange(owner);

    await target.waitFor(1, 15_000);
    worker.child.kill('SIGKILL');
    await worker.exited;
    worker = await startWorker(env);

    const delivery = await deliveryWhen(owner, created.id, (d) => d.status === 'succeeded');
    expect(delivery).toMatchObject({ attempts: 1, last_status_code: 204 });
    // At least once: the killed attempt and its rerun, both the same message; nothing more.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(target.arrivals).toHaveLength(2);
    expect(new Set(target.arrivals.map((a) => a.headers['webhook-id']))).toEqual(
      new Set([delivery.id]),
    );
    expect(target.arrivals[1]!.body).toBe(target.arrivals[0]!.body);
  });

  it('answers a ping with a signed webhook.ping delivery', async () => {
    const owner = await signUp(api.port, db);
    const target = await receiver();
    const created = await hook(owner, target.url, ['*']);
    await owner.expect(202, 'POST', `/webhooks/${created.id}/ping`);
    const [arrival] = await target.waitFor(1, 15_000);
    const payload = new StandardWebhook(created.secret).verify(arrival!.body, {
      'webhook-id': String(arrival!.headers['webhook-id']),
      'webhook-timestamp': String(arrival!.headers['webhook-timestamp']),
      'webhook-signature': String(arrival!.headers['webhook-signature']),
    });
    expect(payload).toMatchObject({ type: 'webhook.ping' });
    expect((await onlyDelivery(owner, created.id)).id).toBe(arrival!.headers['webhook-id']);
  });
});
