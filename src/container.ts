import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { Config } from './config.ts';
import { createLogger, type Logger } from './shared/infra/logger.ts';
import { createMetrics, type Metrics } from './shared/infra/metrics.ts';
import { createOrm, type Orm } from './shared/infra/orm.ts';
import { closeRedis, connectQuietly, createRedis } from './shared/infra/redis.ts';
import type { ReadinessCheck } from './shared/http/operations.routes.ts';
import { systemClock, type Clock } from './shared/domain/clock.ts';

import { identityEntities } from './modules/identity/adapters/persistence/identity.entities.ts';

/** Entity schemas of every module, for the ORM and its tooling. */
export const entities = [...identityEntities];

export interface Container {
  config: Config;
  version: string;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  orm: Orm;
  redis: Redis;
  readinessChecks: ReadinessCheck[];
  /** Opens connections that are created lazily; never throws when a dependency is down. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface ContainerOverrides {
  logger?: Logger;
  orm?: Orm;
  clock?: Clock;
}

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** The composition root: the one place that constructs adapters. */
export function buildContainer(config: Config, overrides: ContainerOverrides = {}): Container {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  const metrics = createMetrics();
  const clock = overrides.clock ?? systemClock;
  const orm = overrides.orm ?? createOrm({ databaseUrl: config.databaseUrl, entities, logger });
  const redis = createRedis(config.redisUrl, logger, 'app');

  const readinessChecks: ReadinessCheck[] = [
    { name: 'database', check: () => orm.driver.getConnection().execute('select 1').then(() => undefined) },
    { name: 'redis', check: () => redis.ping().then(() => undefined) },
  ];

  return {
    config,
    version: packageJson.version,
    logger,
    metrics,
    clock,
    orm,
    redis,
    readinessChecks,
    async start() {
      await connectQuietly(redis);
    },
    async close() {
      await Promise.allSettled([closeRedis(redis), orm.close()]);
    },
  };
}
