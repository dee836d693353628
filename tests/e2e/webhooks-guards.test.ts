import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { refusedAddress } from '../../src/modules/webhooks/adapters/delivery/address-policy.ts';
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
 * Two deployments of their own (database, Redis, processes): one with the production URL rules
 * (WEBHOOK_ALLOW_PRIVATE off), one on a Redis database this file may empty with FLUSHDB.
 */
interface Deployment {
  db: IsolatedDatabase;
  api: ServiceProcess;
  worker: ServiceProcess;
  redisUrl: string;
  prefix: string;
}

/**
 * A Redis database nothing else uses: `TEST_REDIS_FLUSHABLE_URL`, or the run's Redis with the next
 * database number. The test refuses to flush it unless it starts out empty.
 */
function flushableRedisUrl(): string {
  if (process.env.TEST_REDIS_FLUSHABLE_URL) return process.env.TEST_REDIS_FLUSHABLE_URL;
  const url = new URL(inject('redisUrl'));
  const current = Number(url.pathname.slice(1) || '0');
  url.pathname = `/${current + 1}`;
  return url.toString();
}

const deployments: Deployment[] = [];
const receivers: ScriptedReceiver[] = [];

async function deploy(label: string, redisUrl: string, env: Record<string, string>) {
  const db = await isolatedDatabase(label);
  const prefix = uniqueQueuePrefix(label);
  const all = {
    ...baseEnv(),
    DATABASE_URL: db.url,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    ...env,
  };
  const [api, worker] = await Promise.all([
    startService({ ...all, APP_ROLE: 'api' }),
    startWorker(all),
  ]);
  const deployment = { db, api, worker, redisUrl, prefix };
  deployments.push(deployment);
  return deployment;
}

async function receiver(options: { host?: string; port?: number } = {}) {
  const started = await ScriptedReceiver.start(options);
  receivers.push(started);
  return started;
}

afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  for (const { api, worker, db, redisUrl, prefix } of deployments) {
    for (const service of [api, worker]) {
      if (service.child.exitCode === null) {
        service.child.kill('SIGTERM');
        await service.exited;
      }
    }
    await flushQueueKeys(redisUrl, prefix);
    await db.drop();
  }
});

async function statusChange(client: ApiClient): Promise<void> {
  const task = await client.expect<{ id: string; version: number }>(201, 'POST', '/tasks', {
    title: 'Guarded',
  });
  await client.expect(200, 'PATCH', `/tasks/${task.id}`, {
    status: 'completed',
    version: task.version,
  });
}

const hook = (client: ApiClient, url: string) =>
  client.request<WebhookJson & { secret: string }>('POST', '/webhooks', {
    url,
    events: ['task.status_changed'],
  });

describe('with WEBHOOK_ALLOW_PRIVATE off', () => {
  let production: Deployment;
  beforeAll(async () => {
    production = await deploy('e2e_wh_public', inject('redisUrl'), {
      WEBHOOK_ALLOW_PRIVATE: 'false',
    });
  });

  it.each([
    ['http to a public host', 'http://example.com/hook'],
    ['loopback', 'https://127.0.0.1/hook'],
    ['a loopback name', 'https://localhost:8443/hook'],
    ['a private address', 'https://10.1.2.3/hook'],
    ['the metadata address', 'https://169.254.169.254/latest'],
  ])('refuses to create a webhook to %s with 400', async (_, url) => {
    const owner = await signUp(production.api.port, production.db);
    const answer = await hook(owner, url);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      code: 'validation_failed',
      errors: [{ field: 'url', message: expect.any(String) }],
    });
  });

  it('refuses a host name that resolves to a private address, at creation and, without connecting, at send time', async () => {
    // The machine's own name is a name, not "localhost", and resolves to one of this machine's
    // own addresses.
    const name = hostname();
    const addresses = await lookup(name, { all: true });
    expect(addresses.length).toBeGreaterThan(0);
    for (const { address } of addresses) expect(refusedAddress(address, false)).toBeDefined();
    const listening = await receiver({ host: addresses[0]!.address });
    const owner = await signUp(production.api.port, production.db);
    const url = `https://${name}:${listening.port}/hook`;
    const refused = await hook(owner, url);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      errors: [{ field: 'url', message: expect.stringContaining(`${name}: it resolves to`) }],
    });
    // As though the name's DNS answer had changed since the webhook was created.
    const created = await hook(owner, 'https://93.184.216.34/hook');
    expect(created.status).toBe(201);
    await production.db.execute('update webhooks set url = ? where id = ?', [url, created.body.id]);
    await statusChange(owner);

    const delivery = await eventually(async () => {
      const { items } = await owner.deliveries(created.body.id);
      return items[0]?.attempts === 1 ? items[0] : undefined;
    });
    expect(delivery).toMatchObject({ status: 'pending', last_status_code: null });
    expect(delivery.last_error).toContain(`${name} resolves to ${addresses[0]!.address}`);
    expect(listening.connections).toBe(0);
  });
});

describe('after Redis lost every key', () => {
  it('rebuilds the pending deliveries from PostgreSQL and delivers them', async () => {
    const redisUrl = flushableRedisUrl();
    const redis = new Redis(redisUrl, { lazyConnect: true });
    await redis.connect();
    // Never empty a database another run or a developer is using.
    expect(await redis.dbsize()).toBe(0);
    let flushable: Deployment | undefined;
    try {
      flushable = await deploy('e2e_wh_flush', redisUrl, {
        WEBHOOK_ALLOW_PRIVATE: 'true',
        WEBHOOK_RECONCILE_INTERVAL_MS: '500',
      });
      const port = await closedPort();
      const owner = await signUp(flushable.api.port, flushable.db);
      const created = await hook(owner, `http://127.0.0.1:${port}/hook`);
      await statusChange(owner);
      await statusChange(owner);
      // Both first attempts failed (nothing listens): their retries wait in Redis, ~30 s away.
      const pending = await eventually(async () => {
        const { items } = await owner.deliveries(created.body.id);
        return items.length === 2 && items.every((d) => d.attempts === 1) ? items : undefined;
      });
      expect(pending.map((d) => d.status)).toEqual(['pending', 'pending']);

      await redis.flushdb();
      expect(await redis.dbsize()).toBe(0);
      const revived = await receiver({ port });

      const done = await eventually(
        async () => {
          const { items } = await owner.deliveries(created.body.id);
          return items.every((d: DeliveryJson) => d.status === 'succeeded') ? items : undefined;
        },
        50_000,
        'the rebuilt deliveries',
      );
      expect(done.map((d) => d.attempts)).toEqual([2, 2]);
      expect(new Set(revived.arrivals.map((a) => a.headers['webhook-id']))).toEqual(
        new Set(pending.map((d) => d.id)),
      );
      expect(flushable.worker.output()).toContain('webhook deliveries queued again');
    } finally {
      // Everything in this database is this test's (it started empty): leave it empty again.
      for (const service of flushable ? [flushable.api, flushable.worker] : []) {
        service.child.kill('SIGTERM');
        await service.exited;
      }
      await redis.flushdb();
      redis.disconnect();
    }
  }, 90_000);
});
