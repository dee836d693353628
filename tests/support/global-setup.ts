import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { TestProject } from 'vitest/node';
import { contractCoverage } from './contract-coverage.ts';
import { entities } from '../../src/container.ts';
import { initOrm, migrate } from '../../src/shared/infra/orm.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    /** Where test workers note the operations whose responses they held to the document. */
    contractCoverageDir: string;
  }
}

/**
 * Finds PostgreSQL and Redis for the run: `TEST_*` variables first, then the service's own
 * variables, then the local defaults when something listens there, and testcontainers last.
 * Each run gets its own database with the real migrations applied, dropped at the end.
 */
export default async function setup(project: TestProject) {
  const stops: Array<() => Promise<unknown>> = [];

  const serverUrl =
    process.env.TEST_DATABASE_URL ??
    process.env.DATABASE_URL ??
    ((await listening('127.0.0.1', 5432))
      ? 'postgres://postgres@127.0.0.1:5432/postgres'
      : await startPostgres(stops));
  const redisUrl =
    process.env.TEST_REDIS_URL ??
    process.env.REDIS_URL ??
    ((await listening('127.0.0.1', 6379)) ? 'redis://127.0.0.1:6379' : await startRedis(stops));

  const database = `task_manager_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const databaseUrl = withDatabase(serverUrl, database);
  const orm = await initOrm({ databaseUrl, entities });
  await migrate(orm);
  await orm.close();

  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', redisUrl);
  const coverage = await contractCoverage(project);

  return async () => {
    await coverage.check();
    const admin = await initOrm({ databaseUrl: withDatabase(serverUrl, 'postgres'), entities });
    await admin.em.getConnection().execute(`drop database if exists "${database}" with (force)`);
    await admin.close();
    for (const stop of stops.reverse()) await stop();
  };
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 500 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

async function startPostgres(stops: Array<() => Promise<unknown>>): Promise<string> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('postgres:17-alpine')
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  stops.push(() => container.stop());
  return `postgres://postgres@${container.getHost()}:${container.getMappedPort(5432)}/postgres`;
}

async function startRedis(stops: Array<() => Promise<unknown>>): Promise<string> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('redis:7-alpine')
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
    .start();
  stops.push(() => container.stop());
  return `redis://${container.getHost()}:${container.getMappedPort(6379)}`;
}
