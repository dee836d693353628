import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** A BullMQ prefix of its own, so a test's jobs never meet another run's (or a developer's). */
export const uniqueQueuePrefix = (label = 'test') => `${label}-${randomBytes(4).toString('hex')}`;

/** Deletes every key under `prefix`: what a Redis that lost its data looks like to this run. */
export async function flushQueueKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
