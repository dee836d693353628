import type { Clock } from '../../../src/shared/domain/clock.ts';
import type { RateLimitDecision, RateLimiter } from '../../../src/shared/domain/rate-limiter.ts';

/** A sliding-window log per key, on the test's clock. */
export class InMemoryRateLimiter implements RateLimiter {
  private readonly hits = new Map<string, number[]>();
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  async consume(key: string, limit: number, windowSeconds: number): Promise<RateLimitDecision> {
    const now = this.clock.now().getTime();
    const windowMs = windowSeconds * 1000;
    const recent = (this.hits.get(key) ?? []).filter((at) => at > now - windowMs);
    const allowed = recent.length < limit;
    if (allowed) recent.push(now);
    this.hits.set(key, recent);
    const oldest = recent[0] ?? now;
    return {
      allowed,
      limit,
      remaining: Math.max(0, limit - recent.length),
      resetSeconds: recent.length < limit ? 0 : Math.ceil((oldest + windowMs - now) / 1000),
    };
  }
}
