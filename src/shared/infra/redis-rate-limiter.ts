import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Counter } from 'prom-client';
import { systemClock, type Clock } from '../domain/clock.ts';
import type { RateLimitDecision, RateLimiter } from '../domain/rate-limiter.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

/**
 * A sliding-window log: one sorted-set entry per allowed request, scored by its time in ms. Any
 * window-long span holds at most `limit` entries, so there is no double burst at a window edge
 * (a fixed window allows 2× the limit across one). One script, so
 * concurrent requests are serialised by Redis. Refused requests are not recorded: a client that
 * keeps hammering still gets a request through as each old one leaves the window, not never.
 * Returns [allowed 0|1, entries in the window, score of the oldest entry].
 */
export const SLIDING_WINDOW_SCRIPT = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window)
  count = count + 1
  allowed = 1
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return { allowed, count, oldest[2] }
`;

type ScriptedRedis = Redis & {
  rateLimitSlidingWindow(
    key: string,
    nowMs: number,
    windowMs: number,
    limit: number,
    member: string,
  ): Promise<[number, number, string]>;
};

interface WindowState {
  allowed: boolean;
  count: number;
  oldestMs: number;
}

export interface RedisRateLimiterOptions {
  /** Time for the windows, passed into the script so every instance and test agrees on it. */
  clock?: Clock;
  /** The longest a request waits for Redis before the in-process fallback decides. */
  timeoutMs?: number;
  /** While Redis is failing, how often one request tries it again; the rest go straight to the fallback. */
  probeIntervalMs?: number;
}

export class RedisRateLimiter implements RateLimiter {
  readonly #redis: ScriptedRedis;
  readonly #logger: Logger;
  readonly #fallbacks: Counter;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #probeIntervalMs: number;
  readonly #memory = new MemorySlidingWindow();
  #degraded = false;
  #nextProbeMs = 0;

  constructor(
    redis: Redis,
    logger: Logger,
    metrics: Pick<Metrics, 'registry'>,
    options: RedisRateLimiterOptions = {},
  ) {
    redis.defineCommand('rateLimitSlidingWindow', { numberOfKeys: 1, lua: SLIDING_WINDOW_SCRIPT });
    this.#redis = redis as ScriptedRedis;
    this.#logger = logger;
    this.#clock = options.clock ?? systemClock;
    this.#timeoutMs = options.timeoutMs ?? 100;
    this.#probeIntervalMs = options.probeIntervalMs ?? 1_000;
    const name = 'rate_limiter_fallback_total';
    this.#fallbacks =
      (metrics.registry.getSingleMetric(name) as Counter | undefined) ??
      new Counter({
        name,
        help: 'Rate-limit decisions made in process because Redis failed or was too slow.',
        registers: [metrics.registry],
      });
  }

  async consume(key: string, limit: number, windowSeconds: number): Promise<RateLimitDecision> {
    if (!Number.isInteger(limit) || limit < 1 || !(windowSeconds > 0)) {
      throw new RangeError(
        `rate limit needs limit ≥ 1 and a positive window, got ${limit}/${windowSeconds}s`,
      );
    }
    const nowMs = this.#clock.now().getTime();
    const windowMs = Math.ceil(windowSeconds * 1000);
    const state =
      (await this.#fromRedis(`rl:${key}`, nowMs, windowMs, limit)) ??
      this.#fromMemory(key, nowMs, windowMs, limit);
    const resetMs = Math.min(windowMs, state.oldestMs + windowMs - nowMs);
    return {
      allowed: state.allowed,
      limit,
      remaining: Math.max(0, limit - state.count),
      resetSeconds: Math.max(1, Math.ceil(resetMs / 1000)),
    };
  }

  async #fromRedis(
    key: string,
    nowMs: number,
    windowMs: number,
    limit: number,
  ): Promise<WindowState | undefined> {
    if (this.#degraded && nowMs < this.#nextProbeMs) return undefined;
    try {
      const call = this.#redis.rateLimitSlidingWindow(key, nowMs, windowMs, limit, randomUUID());
      const [allowed, count, oldest] = await within(this.#timeoutMs, call);
      if (this.#degraded) {
        this.#degraded = false;
        this.#memory.clear();
        this.#logger.info('rate limiter uses Redis again');
      }
      return { allowed: allowed === 1, count, oldestMs: Number(oldest) };
    } catch (error) {
      this.#nextProbeMs = nowMs + this.#probeIntervalMs;
      if (!this.#degraded) {
        this.#degraded = true;
        this.#logger.warn(
          { err: { message: (error as Error).message } },
          'rate limiter falls back to in-process limits: Redis failed or was too slow',
        );
      }
      return undefined;
    }
  }

  /** Per instance only: with n instances a client can get n × limit through while Redis is out. */
  #fromMemory(key: string, nowMs: number, windowMs: number, limit: number): WindowState {
    this.#fallbacks.inc();
    return this.#memory.consume(key, nowMs, windowMs, limit);
  }
}

/** The same sliding-window log as the script, in process memory. */
class MemorySlidingWindow {
  readonly #logs = new Map<string, { windowMs: number; hits: number[] }>();
  #lastSweepMs = 0;

  consume(key: string, nowMs: number, windowMs: number, limit: number): WindowState {
    this.#sweep(nowMs);
    const log = this.#logs.get(key) ?? { windowMs, hits: [] };
    log.windowMs = windowMs;
    log.hits = log.hits.filter((at) => at > nowMs - windowMs);
    const allowed = log.hits.length < limit;
    if (allowed) log.hits.push(nowMs);
    this.#logs.set(key, log);
    return { allowed, count: log.hits.length, oldestMs: log.hits[0] ?? nowMs };
  }

  clear(): void {
    this.#logs.clear();
  }

  /** Drops keys whose whole log has left its window, so a long outage cannot grow memory without end. */
  #sweep(nowMs: number): void {
    if (nowMs - this.#lastSweepMs < 60_000) return;
    this.#lastSweepMs = nowMs;
    for (const [key, log] of this.#logs) {
      if ((log.hits.at(-1) ?? 0) <= nowMs - log.windowMs) this.#logs.delete(key);
    }
  }
}

/** Races a Redis call against a deadline: the connection's own command timeout (1 s) is too slow here. */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
