import { Writable } from 'node:stream';
import { inject } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import {
  buildContainer,
  entities,
  type Container,
  type ContainerOverrides,
} from '../../src/container.ts';
import { createLogger } from '../../src/shared/infra/logger.ts';
import { createOrm } from '../../src/shared/infra/orm.ts';
import { checkAppResponses } from './contract.ts';

export interface LogCapture {
  lines: string[];
  records(): Array<Record<string, unknown>>;
}

export function captureLogs(): { capture: LogCapture; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return {
    capture: { lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) },
    stream,
  };
}

/**
 * bcrypt at its minimum cost: the real hasher, threads and queue, without cost-12 hashes taking
 * most of the run. Tests about the cost or the hashing load set `BCRYPT_COST` themselves.
 */
const TEST_BCRYPT_COST = '4';

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: inject('databaseUrl'),
    REDIS_URL: inject('redisUrl'),
    LOG_LEVEL: 'debug',
    BCRYPT_COST: TEST_BCRYPT_COST,
    ...env,
  });
}

export interface TestApp {
  app: ReturnType<typeof buildApp>;
  container: Container;
  logs: LogCapture;
  close(): Promise<void>;
}

/** The real app, wired to the run's PostgreSQL and Redis, with its log lines captured. */
export async function createTestApp(
  env: Record<string, string> = {},
  overrides: ContainerOverrides = {},
): Promise<TestApp> {
  const config = testConfig(env);
  const { capture, stream } = captureLogs();
  const logger = createLogger({ level: config.logLevel, destination: stream });
  const orm =
    overrides.orm ?? createOrm({ databaseUrl: config.databaseUrl, entities, logger, poolMax: 4 });
  const container = buildContainer(config, { logger, orm, ...overrides });
  await container.start();
  const app = buildApp(container);
  checkAppResponses(app);
  return { app, container, logs: capture, close: () => container.close() };
}
