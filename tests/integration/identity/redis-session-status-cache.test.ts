import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { RedisSessionStatusCache } from '../../../src/modules/identity/adapters/redis/redis-session-status-cache.ts';
import { createLogger } from '../../../src/shared/infra/logger.ts';
import { closeRedis, connectQuietly, createRedis } from '../../../src/shared/infra/redis.ts';
import { tracked, withFrozenTimers } from '../../support/frozen-timers.ts';
import { captureLogs } from '../../support/test-app.ts';
import { startStallingProxy } from '../shared/stalling-proxy.ts';

const silent = createLogger({ level: 'silent' });

/** A `load()` standing in for the database, counting how often the cache had to ask it. */
function database(active: boolean) {
  const db = { active, loads: 0, load: async () => (db.loads++, db.active) };
  return db;
}

let redis: Redis;
const extraClients: Redis[] = [];
beforeAll(async () => {
  redis = createRedis(inject('redisUrl'), silent, 'session-cache-test');
  await connectQuietly(redis);
});
afterEach(async () => {
  await Promise.all(extraClients.splice(0).map(closeRedis));
});
afterAll(() => closeRedis(redis));

describe('RedisSessionStatusCache against Redis', () => {
  it('asks the database once and answers from Redis afterwards', async () => {
    const cache = new RedisSessionStatusCache(redis, silent);
    const id = randomUUID();
    const db = database(true);

    expect(await cache.isActive(id, db.load)).toBe(true);
    expect(await cache.isActive(id, db.load)).toBe(true);
    expect(db.loads).toBe(1);
    expect(await redis.get(`session-status:${id}`)).toBe('1');
    expect(await redis.ttl(`session-status:${id}`)).toBeLessThanOrEqual(60);
  });

  it('answers revoked after markRevoked without asking the database', async () => {
    const cache = new RedisSessionStatusCache(redis, silent);
    const [id, other] = [randomUUID(), randomUUID()];
    const db = database(true);
    await cache.isActive(id, db.load);

    await cache.markRevoked([id, other]);

    expect(await cache.isActive(id, db.load)).toBe(false);
    expect(await cache.isActive(other, db.load)).toBe(false);
    expect(db.loads).toBe(1);
  });

  it('caches a session the database reports revoked', async () => {
    const cache = new RedisSessionStatusCache(redis, silent);
    const id = randomUUID();
    const db = database(false);
    expect(await cache.isActive(id, db.load)).toBe(false);
    expect(await cache.isActive(id, db.load)).toBe(false);
    expect(db.loads).toBe(1);
  });

  it('keeps a revocation that lands while a stale "live" answer is being loaded', async () => {
    const cache = new RedisSessionStatusCache(redis, silent);
    const id = randomUUID();
    const staleLoad = async () => {
      await cache.markRevoked([id]);
      return true;
    };

    expect(await cache.isActive(id, staleLoad)).toBe(true);
    expect(await cache.isActive(id, database(true).load)).toBe(false);
  });
});

describe('RedisSessionStatusCache when Redis fails', () => {
  it('asks the database at once when Redis is unreachable, and warns once', async () => {
    const dead = createRedis('redis://127.0.0.1:1', silent, 'session-cache-dead');
    extraClients.push(dead);
    const { capture, stream } = captureLogs();
    const cache = new RedisSessionStatusCache(
      dead,
      createLogger({ level: 'debug', destination: stream }),
    );
    const db = database(true);

    // With timers frozen, an answer can only come from the refused command, not from waiting.
    await withFrozenTimers(async () => {
      expect(await cache.isActive(randomUUID(), db.load)).toBe(true);
      expect(await cache.isActive(randomUUID(), db.load)).toBe(true);
    });
    expect(db.loads).toBe(2);
    expect(capture.records().filter((r) => r.level === 'warn')).toHaveLength(1);
  });

  it('asks the database when Redis hangs instead of waiting for it', async () => {
    const proxy = await startStallingProxy(inject('redisUrl'));
    const client = createRedis(proxy.url, silent, 'session-cache-slow');
    extraClients.push(client);
    await connectQuietly(client);
    const cache = new RedisSessionStatusCache(client, silent, { timeoutMs: 100 });
    const db = database(false);
    try {
      proxy.stall();
      const active = await withFrozenTimers(async () => {
        const pending = tracked(cache.isActive(randomUUID(), db.load));
        await vi.advanceTimersByTimeAsync(99);
        expect(pending.settled).toBe(false);
        expect(db.loads).toBe(0);
        await vi.advanceTimersByTimeAsync(1);
        expect(pending.settled).toBe(true);
        return pending.promise;
      });
      expect(active).toBe(false);
      expect(db.loads).toBe(1);
    } finally {
      proxy.resume();
      await proxy.close();
    }
  });

  it('resolves markRevoked when Redis is down and writes the revocation once Redis is back', async () => {
    const late = createRedis(inject('redisUrl'), silent, 'session-cache-late');
    extraClients.push(late);
    const { capture, stream } = captureLogs();
    const cache = new RedisSessionStatusCache(
      late,
      createLogger({ level: 'debug', destination: stream }),
      {
        retryDelayMs: 50,
      },
    );
    const id = randomUUID();
    await redis.set(`session-status:${id}`, '1', 'EX', 60);

    // The lazily created connection is not open yet: this first write fails at once.
    await cache.markRevoked([id]);
    expect(capture.records().some((r) => r.level === 'warn')).toBe(true);

    await expect.poll(() => redis.get(`session-status:${id}`), { timeout: 5_000 }).toBe('0');
  });
});
