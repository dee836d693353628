import type { Redis } from 'ioredis';
import type { Logger } from '../../../../shared/infra/logger.ts';
import type { SessionStatusCache } from '../../application/ports.ts';

export interface RedisSessionStatusCacheOptions {
  /**
   * How long a "live" answer is trusted. It bounds how long a revoked session can keep working on
   * instances that still read a stale '1' when the revocation could not be written to Redis.
   */
  liveTtlSeconds?: number;
  /**
   * How long a "revoked" answer is kept. Past the access-token lifetime (30 min) no token of the
   * session can pass signature checks and reach this cache, so keeping it longer saves nothing.
   */
  revokedTtlSeconds?: number;
  /** The longest a request waits for Redis before asking the database instead. */
  timeoutMs?: number;
  /** Delay between attempts to write a revocation that failed. */
  retryDelayMs?: number;
}

const LIVE = '1';
const REVOKED = '0';

/**
 * Caches whether a session is live, so authenticated requests skip a database read. The database
 * stays the source of truth: any Redis failure falls back to `load()`, never to an error.
 */
export class RedisSessionStatusCache implements SessionStatusCache {
  readonly #redis: Redis;
  readonly #logger: Logger;
  readonly #liveTtl: number;
  readonly #revokedTtl: number;
  readonly #timeoutMs: number;
  readonly #retryDelayMs: number;
  #degraded = false;

  constructor(redis: Redis, logger: Logger, options: RedisSessionStatusCacheOptions = {}) {
    this.#redis = redis;
    this.#logger = logger;
    this.#liveTtl = options.liveTtlSeconds ?? 60;
    this.#revokedTtl = options.revokedTtlSeconds ?? 3600;
    this.#timeoutMs = options.timeoutMs ?? 100;
    this.#retryDelayMs = options.retryDelayMs ?? 5_000;
  }

  async isActive(sessionId: string, load: () => Promise<boolean>): Promise<boolean> {
    const key = keyOf(sessionId);
    let cached: string | null;
    try {
      cached = await within(this.#timeoutMs, this.#redis.get(key));
      this.#recovered();
    } catch (error) {
      this.#failed(error);
      return load();
    }
    if (cached === LIVE) return true;
    if (cached === REVOKED) return false;

    const active = await load();
    // NX on "live": a revocation written while `load()` ran must not be overwritten by its stale answer.
    const write = active
      ? this.#redis.set(key, LIVE, 'EX', this.#liveTtl, 'NX')
      : this.#redis.set(key, REVOKED, 'EX', this.#revokedTtl);
    await within(this.#timeoutMs, write).catch((error: unknown) => this.#failed(error));
    return active;
  }

  /**
   * Called after the database revocation committed, so a Redis failure must not fail the request.
   * But a stale '1' would keep the session working, so a failed write is retried in the background
   * for as long as such a '1' can live (the live TTL, plus one delay for a `load()` in flight);
   * after that every '1' written before the revocation has expired and the database answers.
   */
  async markRevoked(sessionIds: string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    const deadline = Date.now() + this.#liveTtl * 1000 + this.#retryDelayMs;
    const error = await this.#writeRevoked(sessionIds);
    if (!error) return;
    this.#logger.warn(
      {
        sessionIds,
        err: { message: error.message },
        retryForSeconds: Math.ceil((deadline - Date.now()) / 1000),
      },
      'could not mark sessions revoked in Redis; retrying in the background',
    );
    const retry = async () => {
      if (Date.now() >= deadline) return;
      if (await this.#writeRevoked(sessionIds)) {
        setTimeout(() => void retry(), this.#retryDelayMs).unref();
      }
    };
    setTimeout(() => void retry(), this.#retryDelayMs).unref();
  }

  /** Resolves the error, if any; overwriting with '0' is idempotent, so retrying is always safe. */
  async #writeRevoked(sessionIds: string[]): Promise<Error | undefined> {
    const pipeline = this.#redis.pipeline();
    for (const id of sessionIds) pipeline.set(keyOf(id), REVOKED, 'EX', this.#revokedTtl);
    try {
      const results = await within(this.#timeoutMs, pipeline.exec());
      const failure = results?.find(([err]) => err)?.[0];
      return results ? (failure ?? undefined) : new Error('pipeline was discarded');
    } catch (err) {
      return err as Error;
    }
  }

  #failed(error: unknown): void {
    if (this.#degraded) return;
    this.#degraded = true;
    this.#logger.warn(
      { err: { message: (error as Error).message } },
      'session status cache unavailable; reading the database',
    );
  }

  #recovered(): void {
    if (!this.#degraded) return;
    this.#degraded = false;
    this.#logger.info('session status cache available again');
  }
}

function keyOf(sessionId: string): string {
  return `session-status:${sessionId}`;
}

/** Races a Redis call against a deadline shorter than the connection's own command timeout. */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
