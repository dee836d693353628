import type { Context, Env, MiddlewareHandler } from 'hono';
import type { RateLimitDecision, RateLimiter } from '../domain/rate-limiter.ts';
import type { AppEnv } from './app-env.ts';
import { ProblemError } from './problem.ts';

export interface RateLimitOptions<E extends Env = AppEnv> {
  limiter: RateLimiter;
  limit: number;
  windowSeconds?: number;
  /** The bucket a request counts against, or `undefined` to let it pass uncounted. */
  key: (c: Context<E>) => string | undefined;
}

/** Counts each request against its bucket; sets the RateLimit-* headers; 429 when over. */
export function rateLimit<E extends Env = AppEnv>(
  options: RateLimitOptions<E>,
): MiddlewareHandler<E> {
  const windowSeconds = options.windowSeconds ?? 60;
  return async (c, next) => {
    const key = options.key(c);
    if (key === undefined) return next();
    const decision = await options.limiter.consume(key, options.limit, windowSeconds);
    await enforceRateLimit(c, decision, windowSeconds, next);
  };
}

/**
 * The second half of `rateLimit`, for a decision taken earlier (e.g. in parallel with another
 * lookup): 429 when over, else the handler, then the RateLimit-* headers.
 */
export async function enforceRateLimit(
  c: Context,
  decision: RateLimitDecision,
  windowSeconds: number,
  next: () => Promise<void>,
): Promise<void> {
  const headers = {
    'RateLimit-Limit': String(decision.limit),
    'RateLimit-Remaining': String(decision.remaining),
    'RateLimit-Reset': String(decision.resetSeconds),
  };
  if (!decision.allowed) {
    throw new ProblemError({
      status: 429,
      code: 'rate_limited',
      title: 'Too many requests',
      detail: `Limit of ${decision.limit} requests per ${windowSeconds} s reached; retry later.`,
      headers: { ...headers, 'Retry-After': String(Math.max(1, decision.resetSeconds)) },
    });
  }
  await next();
  // Where two limits apply (per IP, then per user), the headers describe the tighter one.
  const inner = c.res.headers.get('RateLimit-Remaining');
  if (inner !== null && Number(inner) <= decision.remaining) return;
  for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
}
