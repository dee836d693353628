import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StoredAnswer } from '../../../src/shared/domain/idempotency-store.ts';
import { createLogger } from '../../../src/shared/infra/logger.ts';
import { RedisIdempotencyStore } from '../../../src/shared/infra/redis-idempotency-store.ts';
import { closeRedis, connectQuietly, createRedis } from '../../../src/shared/infra/redis.ts';

const PREFIX = 'idem-test:';
let redis: Redis;
let store: RedisIdempotencyStore;

beforeAll(async () => {
  redis = createRedis(inject('redisUrl'), createLogger({ level: 'silent' }), 'idempotency-test');
  await connectQuietly(redis);
  store = new RedisIdempotencyStore(redis, PREFIX);
});
afterAll(() => closeRedis(redis));

const answer: StoredAnswer = {
  status: 201,
  headers: { 'content-type': 'application/json', location: '/api/v1/tasks/1' },
  body: new TextEncoder().encode('{"id":"1","title":"ünïcödé 🚀"}'),
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RedisIdempotencyStore against Redis', () => {
  it('lets exactly one of many simultaneous claims hold a key', async () => {
    const key = randomUUID();
    const claims = await Promise.all(
      Array.from({ length: 25 }, () => store.claim(key, 'fp', 10_000)),
    );
    expect(claims.filter((c) => c.state === 'claimed')).toHaveLength(1);
    expect(claims.filter((c) => c.state === 'running')).toHaveLength(24);
    expect(claims.find((c) => c.state === 'running')).toEqual({
      state: 'running',
      fingerprint: 'fp',
    });
  });

  it('replaces the claim with the answer, kept for the retention it was given', async () => {
    const key = randomUUID();
    const claim = await store.claim(key, 'fp', 10_000);
    if (claim.state !== 'claimed') throw new Error('not claimed');
    expect(await claim.lease.complete(answer, 86_400)).toBe(true);
    const later = await store.claim(key, 'other', 10_000);
    expect(later.state).toBe('done');
    if (later.state !== 'done') return;
    expect(later.fingerprint).toBe('fp');
    expect(later.answer.status).toBe(201);
    expect(later.answer.headers).toEqual(answer.headers);
    expect(Buffer.from(later.answer.body).equals(Buffer.from(answer.body))).toBe(true);
    const ttl = await redis.ttl(PREFIX + key);
    expect(ttl).toBeGreaterThan(86_000);
    expect(ttl).toBeLessThanOrEqual(86_400);
  });

  it('frees the key of a holder that stops renewing, and the late holder cannot touch the new claim', async () => {
    const key = randomUUID();
    const dead = await store.claim(key, 'fp', 100);
    if (dead.state !== 'claimed') throw new Error('not claimed');
    await sleep(150);
    const next = await store.claim(key, 'fp', 10_000);
    expect(next.state).toBe('claimed');
    if (next.state !== 'claimed') return;
    expect(await dead.lease.renew(10_000)).toBe(false);
    expect(await dead.lease.complete(answer, 60)).toBe(false);
    await dead.lease.release();
    expect((await store.claim(key, 'fp', 10_000)).state).toBe('running');
    expect(await next.lease.complete(answer, 60)).toBe(true);
  });

  it('keeps a key as long as its holder renews, and frees it on release', async () => {
    const key = randomUUID();
    const claim = await store.claim(key, 'fp', 200);
    if (claim.state !== 'claimed') throw new Error('not claimed');
    expect(await claim.lease.renew(10_000)).toBe(true);
    expect(await redis.pttl(PREFIX + key)).toBeGreaterThan(5_000);
    await claim.lease.release();
    expect(await redis.exists(PREFIX + key)).toBe(0);
    expect((await store.claim(key, 'fp', 10_000)).state).toBe('claimed');
  });
});
