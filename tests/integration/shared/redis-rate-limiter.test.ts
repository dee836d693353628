import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { Clock } from '../../../src/shared/domain/clock.ts';
import { createLogger } from '../../../src/shared/infra/logger.ts';
import { RedisRateLimiter } from '../../../src/shared/infra/redis-rate-limiter.ts';
import { closeRedis, connectQuietly, createRedis } from '../../../src/shared/infra/redis.ts';
import { tracked, withFrozenTimers } from '../../support/frozen-timers.ts';
import { captureLogs } from '../../support/test-app.ts';
import { startStallingProxy, type StallingProxy } from './stalling-proxy.ts';

class ManualClock implements Clock {
  ms = Date.now();
  now(): Date {
    return new Date(this.ms);
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

/** How long the limiter waits for Redis before deciding in process. */
const TIMEOUT_MS = 100;

const silent = createLogger({ level: 'silent' });
const key = () => `test:${randomUUID()}`;

function limiterOn(redis: Redis, clock: Clock = new ManualClock()) {
  const { capture, stream } = captureLogs();
  const logger = createLogger({ level: 'debug', destination: stream });
  const registry = new Registry();
  const limiter = new RedisRateLimiter(
    redis,
    logger,
    { registry },
    { clock, timeoutMs: TIMEOUT_MS },
  );
  const fallbacks = async () =>
    (await registry.getSingleMetric('rate_limiter_fallback_total')!.get()).values[0]?.value;
  const warnings = () => capture.records().filter((r) => r.level === 'warn');
  return { limiter, capture, fallbacks, warnings };
}

let redis: Redis;
const extraClients: Redis[] = [];
beforeAll(async () => {
  redis = createRedis(inject('redisUrl'), silent, 'rate-limiter-test');
  await connectQuietly(redis);
});
afterEach(async () => {
  await Promise.all(extraClients.splice(0).map(closeRedis));
});
afterAll(() => closeRedis(redis));

describe('RedisRateLimiter against Redis', () => {
  it('lets exactly the limit through out of a parallel burst', async () => {
    const { limiter } = limiterOn(redis, { now: () => new Date() });
    const k = key();
    const decisions = await Promise.all(
      Array.from({ length: 30 }, () => limiter.consume(k, 20, 60)),
    );

    const allowed = decisions.filter((d) => d.allowed);
    expect(allowed).toHaveLength(20);
    expect(allowed.map((d) => d.remaining).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    for (const refused of decisions.filter((d) => !d.allowed)) {
      expect(refused).toMatchObject({ limit: 20, remaining: 0 });
      expect(refused.resetSeconds).toBeGreaterThanOrEqual(1);
      expect(refused.resetSeconds).toBeLessThanOrEqual(60);
    }
  });

  it('reports the limit, what remains and when the oldest request leaves the window', async () => {
    const clock = new ManualClock();
    const { limiter } = limiterOn(redis, clock);
    const k = key();

    expect(await limiter.consume(k, 3, 60)).toEqual({
      allowed: true,
      limit: 3,
      remaining: 2,
      resetSeconds: 60,
    });
    clock.advance(10);
    await limiter.consume(k, 3, 60);
    await limiter.consume(k, 3, 60);
    clock.advance(5);
    expect(await limiter.consume(k, 3, 60)).toEqual({
      allowed: false,
      limit: 3,
      remaining: 0,
      resetSeconds: 45,
    });
    clock.advance(45);
    expect(await limiter.consume(k, 3, 60)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('allows no second burst right after a window edge', async () => {
    const clock = new ManualClock();
    const { limiter } = limiterOn(redis, clock);
    const k = key();

    await limiter.consume(k, 5, 60);
    clock.advance(59);
    for (let i = 0; i < 4; i++) expect((await limiter.consume(k, 5, 60)).allowed).toBe(true);

    // A fixed window opened by the first request would start afresh here and allow 5 more.
    clock.advance(2);
    const afterEdge = [];
    for (let i = 0; i < 5; i++) afterEdge.push(await limiter.consume(k, 5, 60));
    expect(afterEdge.filter((d) => d.allowed)).toHaveLength(1);
    expect(afterEdge.at(-1)).toMatchObject({ allowed: false, resetSeconds: 58 });

    clock.advance(57);
    expect((await limiter.consume(k, 5, 60)).allowed).toBe(false);
    // The four requests of second 59 leave the window together; the one of second 61 stays.
    clock.advance(1);
    expect(await limiter.consume(k, 5, 60)).toMatchObject({ allowed: true, remaining: 3 });
  });

  it('keeps separate counts per key', async () => {
    const { limiter } = limiterOn(redis);
    const [a, b] = [key(), key()];
    expect((await limiter.consume(a, 1, 60)).allowed).toBe(true);
    expect((await limiter.consume(a, 1, 60)).allowed).toBe(false);
    expect((await limiter.consume(b, 1, 60)).allowed).toBe(true);
  });

  it('stores its windows under the rl: prefix and lets them expire', async () => {
    const { limiter } = limiterOn(redis, { now: () => new Date() });
    const k = key();
    await limiter.consume(k, 2, 30);
    const ttl = await redis.pttl(`rl:${k}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30_000);
  });
});

describe('RedisRateLimiter when Redis fails', () => {
  it('decides in process at once when Redis is unreachable, still limiting, and says so once', async () => {
    const dead = createRedis('redis://127.0.0.1:1', silent, 'rate-limiter-dead');
    extraClients.push(dead);
    const { limiter, fallbacks, warnings } = limiterOn(dead);
    const k = key();

    // With timers frozen, an answer can only come from the refused command, not from waiting.
    const first = await withFrozenTimers(() => limiter.consume(k, 3, 60));

    const rest = [
      await limiter.consume(k, 3, 60),
      await limiter.consume(k, 3, 60),
      await limiter.consume(k, 3, 60),
    ];
    expect([first, ...rest].map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(rest.at(-1)?.resetSeconds).toBeGreaterThanOrEqual(1);
    expect(await fallbacks()).toBe(4);
    expect(warnings()).toHaveLength(1);
  });

  it('stops waiting for a Redis that hangs, then returns to Redis once it answers again', async () => {
    const proxy: StallingProxy = await startStallingProxy(inject('redisUrl'));
    const client = createRedis(proxy.url, silent, 'rate-limiter-slow');
    extraClients.push(client);
    await connectQuietly(client);
    const clock = new ManualClock();
    const { limiter, fallbacks, warnings, capture } = limiterOn(client, clock);
    const k = key();
    try {
      expect((await limiter.consume(k, 2, 60)).remaining).toBe(1);

      proxy.stall();
      const slow = await withFrozenTimers(async () => {
        const pending = tracked(limiter.consume(k, 2, 60));
        await vi.advanceTimersByTimeAsync(TIMEOUT_MS - 1);
        expect(pending.settled).toBe(false);
        await vi.advanceTimersByTimeAsync(1);
        expect(pending.settled).toBe(true);
        return pending.promise;
      });
      expect(slow.allowed).toBe(true);
      expect(await fallbacks()).toBe(1);
      expect(warnings()).toHaveLength(1);

      proxy.resume();
      clock.advance(2);
      // The stalled command reached Redis after all, so Redis now holds both requests.
      expect(await limiter.consume(k, 2, 60)).toMatchObject({ allowed: false, remaining: 0 });
      expect(await fallbacks()).toBe(1);
      expect(capture.records().some((r) => r.msg === 'rate limiter uses Redis again')).toBe(true);
    } finally {
      await proxy.close();
    }
  });
});
