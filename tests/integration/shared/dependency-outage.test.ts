import { RequestContext } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { proxiedUrl, TcpProxy } from '../../support/tcp-proxy.ts';
import { createTestApp, type TestApp } from '../../support/test-app.ts';

const pgTarget = new URL(inject('databaseUrl'));
const redisTarget = new URL(inject('redisUrl'));
const pgProxy = new TcpProxy(pgTarget.hostname, Number(pgTarget.port || 5432));
const redisProxy = new TcpProxy(redisTarget.hostname, Number(redisTarget.port || 6379));
let t: TestApp;

beforeAll(async () => {
  await pgProxy.start();
  await redisProxy.start();
  t = await createTestApp({
    DATABASE_URL: proxiedUrl(inject('databaseUrl'), pgProxy),
    REDIS_URL: proxiedUrl(inject('redisUrl'), redisProxy),
  });
  // A route that needs the database, as every API route will.
  t.app.get('/api/v1/probe/db', async (c) => {
    const em = RequestContext.getEntityManager() as EntityManager;
    const rows = await em.execute<Array<{ ok: number }>>('select 1 as ok');
    return c.json({ ok: rows[0]?.ok });
  });
  t.app.get('/api/v1/probe/redis', async (c) => c.json({ pong: await t.container.redis.ping() }));
});

afterAll(async () => {
  await t.close();
  await pgProxy.stop();
  await redisProxy.stop();
});

async function readiness() {
  const res = await t.app.request('/health/ready');
  const body = (await res.json()) as { checks: Record<string, { status: string }> };
  return {
    status: res.status,
    database: body.checks.database?.status,
    redis: body.checks.redis?.status,
  };
}

async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!accept(last) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    last = await probe();
  }
  return last;
}

describe('losing a dependency while running', () => {
  it('answers 503 while PostgreSQL is down and recovers by itself when it returns', async () => {
    expect(await readiness()).toEqual({ status: 200, database: 'up', redis: 'up' });
    expect((await t.app.request('/api/v1/probe/db')).status).toBe(200);

    await pgProxy.stop();
    const down = await t.app.request('/api/v1/probe/db');
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('5');
    expect(((await down.json()) as { code: string }).code).toBe('service_unavailable');
    expect(await readiness()).toMatchObject({ status: 503, database: 'down', redis: 'up' });

    await pgProxy.start();
    expect(await eventually(readiness, (r) => r.status === 200)).toMatchObject({
      status: 200,
      database: 'up',
    });
    expect((await t.app.request('/api/v1/probe/db')).status).toBe(200);
  });

  it('answers 503 while Redis is down, without waiting for it, and recovers by itself when it returns', async () => {
    await redisProxy.stop();
    // Redis comes back only after this answer: a request that waited for it would never get one.
    const down = await t.app.request('/api/v1/probe/redis');
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('5');
    expect(((await down.json()) as { code: string }).code).toBe('service_unavailable');
    expect(await readiness()).toMatchObject({ status: 503, database: 'up', redis: 'down' });

    await redisProxy.start();
    expect(await eventually(readiness, (r) => r.status === 200)).toMatchObject({
      status: 200,
      redis: 'up',
    });
    expect((await t.app.request('/api/v1/probe/redis')).status).toBe(200);
  });
});
