export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window frees up enough for one more request. */
  resetSeconds: number;
}

/** A counter per key over a sliding window; used by HTTP middleware and by use cases. */
export interface RateLimiter {
  consume(key: string, limit: number, windowSeconds: number): Promise<RateLimitDecision>;
}
