import { DriverException } from '@mikro-orm/core';
/**
 * Recognises the errors that mean "a dependency is unreachable right now" so the HTTP layer can
 * answer 503 instead of 500. Infrastructure failures stay exceptions (docs/architecture.md,
 * Errors).
 */
export type Dependency = 'database' | 'redis';

class DependencyUnavailableError extends Error {
  readonly dependency: Dependency;
  constructor(dependency: Dependency, cause?: unknown) {
    super(`${dependency} unavailable`, { cause });
    this.name = 'DependencyUnavailableError';
    this.dependency = dependency;
  }
}

/**
 * Socket errors mean the database only when they come from its driver or pool: a client that
 * aborts its own request raises ECONNRESET ("aborted") too, and that is not an outage.
 */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** SQLSTATEs only PostgreSQL itself sends. */
const PG_CONNECTION_CODES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

const PG_CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection terminated unexpectedly',
  'the database system is starting up',
  'the database system is shutting down',
];

const REDIS_MESSAGES = [
  "Stream isn't writeable",
  'Connection is closed',
  'Command timed out',
  'Reached the max retries per request limit',
  'connect ECONNREFUSED',
];

export function unavailableDependency(error: unknown): Dependency | undefined {
  let fromDriver = false;
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof DependencyUnavailableError) return current.dependency;
    if (!(current instanceof Error)) return undefined;
    const err = current;
    const { name, message } = err;
    const code = (err as { code?: unknown }).code;
    fromDriver ||= err instanceof DriverException || DRIVER_FRAMES.test(err.stack ?? '');
    if (
      name === 'MaxRetriesPerRequestError' ||
      REDIS_MESSAGES.some((m) => message.includes(m) && isRedisish(err))
    ) {
      return 'redis';
    }
    if (
      name === 'ConnectionException' ||
      (typeof code === 'string' && PG_CONNECTION_CODES.has(code)) ||
      (fromDriver && typeof code === 'string' && SOCKET_CODES.has(code))
    ) {
      return 'database';
    }
    if (PG_CONNECTION_MESSAGES.some((m) => message.includes(m))) return 'database';
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Stack frames of the PostgreSQL driver, its pool, or the ORM and query builder over them. */
const DRIVER_FRAMES = /[\\/]node_modules[\\/](pg|pg-pool|pg-protocol|@mikro-orm|kysely)[\\/]/;

function isRedisish(error: Error): boolean {
  const stack = error.stack ?? '';
  return (
    stack.includes('ioredis') ||
    error.message.includes('enableOfflineQueue') ||
    error.name.includes('Redis')
  );
}
