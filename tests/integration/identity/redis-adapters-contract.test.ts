import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisSessionStatusCache } from '../../../src/modules/identity/adapters/redis/redis-session-status-cache.ts';
import { RedisUnknownLoginAttempts } from '../../../src/modules/identity/adapters/redis/redis-unknown-login-attempts.ts';
import type {
  SessionStatusCache,
  UnknownLoginAttempts,
} from '../../../src/modules/identity/application/ports.ts';
import type { LockoutPolicy } from '../../../src/modules/identity/domain/user.ts';
import type { Clock } from '../../../src/shared/domain/clock.ts';
import type { RateLimiter } from '../../../src/shared/domain/rate-limiter.ts';
import { createLogger } from '../../../src/shared/infra/logger.ts';
import { RedisRateLimiter } from '../../../src/shared/infra/redis-rate-limiter.ts';
import { closeRedis, connectQuietly, createRedis } from '../../../src/shared/infra/redis.ts';
import { InMemoryRateLimiter } from '../../support/identity/in-memory-rate-limiter.ts';
import { InMemorySessionStatusCache } from '../../support/identity/in-memory-session-status-cache.ts';
import { InMemoryUnknownLoginAttempts } from '../../support/identity/in-memory-unknown-login-attempts.ts';

/**
 * The contract of the Redis-backed ports the identity unit tests replace with fakes (rate limiter,
 * unknown-address lockout, session status cache), run against the fakes and against Redis, so the
 * fakes cannot drift from the scripts.
 */

class ManualClock implements Clock {
  ms = Date.parse('2030-03-01T10:00:00.000Z');
  now(): Date {
    return new Date(this.ms);
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

interface World {
  clock: ManualClock;
  limiter: RateLimiter;
  unknownLogins: UnknownLoginAttempts;
  sessions: SessionStatusCache;
}

const silent = createLogger({ level: 'silent' });
let redis: Redis;

beforeAll(async () => {
  redis = createRedis(inject('redisUrl'), silent, 'identity-contract-test');
  await connectQuietly(redis);
});
afterAll(() => closeRedis(redis));

const inMemory = (): World => {
  const clock = new ManualClock();
  return {
    clock,
    limiter: new InMemoryRateLimiter(clock),
    unknownLogins: new InMemoryUnknownLoginAttempts(),
    sessions: new InMemorySessionStatusCache(),
  };
};

const viaRedis = (): World => {
  const clock = new ManualClock();
  return {
    clock,
    // Generous timeouts: the contract is about answers, not about a slow Redis.
    limiter: new RedisRateLimiter(
      redis,
      silent,
      { registry: new Registry() },
      {
        clock,
        timeoutMs: 5_000,
      },
    ),
    unknownLogins: new RedisUnknownLoginAttempts(redis, silent),
    sessions: new RedisSessionStatusCache(redis, silent, { timeoutMs: 5_000 }),
  };
};

const policy: LockoutPolicy = { maxFailures: 3, lockMinutes: 15 };

/** A `load()` standing in for the database, counting how often the cache asked it. */
function database(active: boolean) {
  const db = { active, loads: 0, load: async () => (db.loads++, db.active) };
  return db;
}

describe.each([
  ['in-memory', inMemory],
  ['redis', viaRedis],
] as const)('identity Redis-backed ports contract (%s)', (_name, makeWorld) => {
  let world: World;
  beforeAll(() => {
    world = makeWorld();
  });

  describe('rate limiter', () => {
    it('lets the limit through per sliding window, reporting what remains and when the oldest leaves', async () => {
      const key = `contract:${randomUUID()}`;
      const { limiter, clock } = world;
      expect(await limiter.consume(key, 3, 60)).toEqual({
        allowed: true,
        limit: 3,
        remaining: 2,
        resetSeconds: 60,
      });
      clock.advance(10);
      expect(await limiter.consume(key, 3, 60)).toEqual({
        allowed: true,
        limit: 3,
        remaining: 1,
        resetSeconds: 50,
      });
      expect(await limiter.consume(key, 3, 60)).toEqual({
        allowed: true,
        limit: 3,
        remaining: 0,
        resetSeconds: 50,
      });
      clock.advance(5);
      expect(await limiter.consume(key, 3, 60)).toEqual({
        allowed: false,
        limit: 3,
        remaining: 0,
        resetSeconds: 45,
      });
      // Another key has a window of its own.
      expect((await limiter.consume(`${key}:other`, 3, 60)).remaining).toBe(2);
      // Refusals are not recorded: at second 60 the first request has left the window.
      clock.advance(45);
      expect(await limiter.consume(key, 3, 60)).toEqual({
        allowed: true,
        limit: 3,
        remaining: 0,
        resetSeconds: 10,
      });
      clock.advance(0.5);
      expect(await limiter.consume(key, 3, 60)).toEqual({
        allowed: false,
        limit: 3,
        remaining: 0,
        resetSeconds: 10,
      });
    });

    it('refuses to count against a limit below one or a window that is not positive', async () => {
      await expect(world.limiter.consume(`contract:${randomUUID()}`, 0, 60)).rejects.toThrow(
        RangeError,
      );
      await expect(world.limiter.consume(`contract:${randomUUID()}`, 1.5, 60)).rejects.toThrow(
        RangeError,
      );
      await expect(world.limiter.consume(`contract:${randomUUID()}`, 5, 0)).rejects.toThrow(
        RangeError,
      );
    });
  });

  describe('unknown-address login lockout', () => {
    it('locks an address after the limit, refuses it while locked, then counts afresh', async () => {
      const address = randomUUID();
      const { unknownLogins, clock } = world;
      const begin = () => unknownLogins.begin(address, clock.now(), policy);
      expect(await begin()).toEqual({ locked: false });
      expect(await begin()).toEqual({ locked: false });
      expect(await unknownLogins.begin(randomUUID(), clock.now(), policy)).toEqual({
        locked: false,
      });
      expect(await begin()).toEqual({ locked: false });
      expect(await begin()).toEqual({ locked: true, retryAfterSeconds: 900 });
      clock.advance(600.2);
      expect(await begin()).toEqual({ locked: true, retryAfterSeconds: 300 });
      clock.advance(299.8);
      // The lock has run out: counted from one again, so two more attempts pass before it locks.
      expect(await begin()).toEqual({ locked: false });
      expect(await begin()).toEqual({ locked: false });
      expect(await begin()).toEqual({ locked: false });
      expect(await begin()).toEqual({ locked: true, retryAfterSeconds: 900 });
    });
  });

  describe('session status cache', () => {
    it('asks the database once per session and keeps its answer', async () => {
      const live = database(true);
      const [a, b] = [randomUUID(), randomUUID()];
      expect(await world.sessions.isActive(a, live.load)).toBe(true);
      expect(await world.sessions.isActive(a, live.load)).toBe(true);
      expect(live.loads).toBe(1);
      const ended = database(false);
      expect(await world.sessions.isActive(b, ended.load)).toBe(false);
      ended.active = true;
      expect(await world.sessions.isActive(b, ended.load)).toBe(false);
      expect(ended.loads).toBe(1);
    });

    it('answers revoked without the database once told, even after a live answer', async () => {
      const live = database(true);
      const [a, b] = [randomUUID(), randomUUID()];
      expect(await world.sessions.isActive(a, live.load)).toBe(true);
      await world.sessions.markRevoked([a, b]);
      await world.sessions.markRevoked([]);
      expect(await world.sessions.isActive(a, live.load)).toBe(false);
      expect(await world.sessions.isActive(b, live.load)).toBe(false);
      expect(live.loads).toBe(1);
    });
  });
});
