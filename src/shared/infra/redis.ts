import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './logger.ts';

/** Reconnect with a capped backoff forever: Redis coming back must heal the service by itself. */
const retryStrategy = (attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 6), 3_000);

/**
 * A connection for request-path commands: it fails fast instead of queueing while Redis is down
 * (no offline queue, bounded connect and command time), so no request can hang on a dead Redis.
 */
export function createRedis(
  url: string,
  logger: Logger,
  name: string,
  extra: RedisOptions = {},
): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    lazyConnect: true,
    connectTimeout: 2_000,
    commandTimeout: 1_000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy,
    ...extra,
  });
  watch(redis, logger, name);
  return redis;
}

/** A connection for BullMQ, which requires `maxRetriesPerRequest: null` and its own blocking clients. */
export function createQueueRedis(url: string, logger: Logger, name: string): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: null,
    enableReadyCheck: false,
    retryStrategy,
  });
  watch(redis, logger, name);
  return redis;
}

function watch(redis: Redis, logger: Logger, name: string): void {
  let healthy = true;
  redis.on('error', (err: Error) => {
    if (healthy)
      logger.warn({ redis: name, err: { message: err.message } }, 'redis connection error');
    healthy = false;
  });
  redis.on('ready', () => {
    if (!healthy) logger.info({ redis: name }, 'redis connection restored');
    healthy = true;
  });
}

/** Opens a lazily created connection; resolves even when Redis is down (it keeps retrying). */
export async function connectQuietly(redis: Redis): Promise<void> {
  if (redis.status !== 'wait') return;
  await redis.connect().catch(() => undefined);
}

export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  await redis.quit().catch(() => redis.disconnect());
}
