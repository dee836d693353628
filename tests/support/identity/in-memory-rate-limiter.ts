import type { Clock } from '../../../src/shared/domain/clock.ts';
import type { RateLimitDecision, RateLimiter } from '../../../src/shared/domain/rate-limiter.ts';

/** A sliding-window log per key, on the test's clock, answering as the Redis limiter does. */
export class InMemoryRateLimiter implements RateLimiter {
  private readonly hits = new Map<string, number[]>();
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  async consume(key: string, limit: number, windowSeconds: number): Promise<RateLimitDecision> {
    if (!Number.isInteger(limit) || limit < 1 || !(windowSeconds > 0)) {
      throw new RangeError(
        `rate limit needs limit ≥ 1 and a positive window, got ${limit}/${windowSeconds}s`,
      );
    }
    const now = this.clock.now().getTime();
    const windowMs = Math.ceil(windowSeconds * 1000);
    const recent = (this.hits.get(key) ?? []).filter((at) => at > now - windowMs);
    const allowed = recent.length < limit;
    if (allowed) recent.push(now);
    this.hits.set(key, recent);
    // When the oldest request leaves the window, whether or not this one was the last allowed.
    const oldest = recent[0] ?? now;
    const resetMs = Math.min(windowMs, oldest + windowMs - now);
    return {
      allowed,
      limit,
      remaining: Math.max(0, limit - recent.length),
      resetSeconds: Math.max(1, Math.ceil(resetMs / 1000)),
    };
  }
}
