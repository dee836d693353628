import type { Redis } from 'ioredis';

/** The pub/sub channel on which revoked session ids reach every API instance's sockets. */
export const REVOKED_SESSIONS_CHANNEL = 'sessions:revoked';

/**
 * Announces revoked sessions so every instance closes their sockets at once. Best effort (pub/sub
 * is at most once); the gateway's periodic session check catches anything this misses.
 */
export class RedisSessionRevocations {
  private readonly redis: Redis;

  constructor(redis: Redis) {
    this.redis = redis;
  }

  async publish(sessionIds: readonly string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    await this.redis.publish(REVOKED_SESSIONS_CHANNEL, JSON.stringify(sessionIds));
  }
}

export function decodeRevokedSessions(message: string): string[] {
  try {
    const ids: unknown = JSON.parse(message);
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}
