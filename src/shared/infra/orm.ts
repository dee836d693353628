import { MikroORM, type Options } from '@mikro-orm/postgresql';
import type { EntitySchema } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { fileURLToPath } from 'node:url';
import type { Logger } from './logger.ts';

export type Orm = MikroORM;

const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations', import.meta.url));

export interface OrmSettings {
  databaseUrl: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- schemas of many entity types
  entities: EntitySchema<any, any>[];
  logger?: Logger;
  poolMax?: number;
}

export function ormOptions({ databaseUrl, entities, logger, poolMax = 10 }: OrmSettings): Options {
  return {
    clientUrl: databaseUrl,
    entities,
    extensions: [Migrator],
    allowGlobalContext: false,
    ensureDatabase: true,
    forceUtcTimezone: true,
    discovery: { warnWhenNoEntities: false },
    pool: { min: 0, max: poolMax, idleTimeoutMillis: 30_000 },
    driverOptions: { connectionTimeoutMillis: 2_000, statement_timeout: 10_000 },
    migrations: {
      path: MIGRATIONS_DIR,
      pathTs: MIGRATIONS_DIR,
      glob: '!(*.d).ts',
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      snapshotOnMigrate: false,
      snapshotName: '.snapshot-task-manager',
      emit: 'ts',
      silent: true,
    },
    logger: (message: string) => logger?.debug({ orm: message }, 'orm'),
    debug: false,
  };
}

/**
 * Connects (creating the database when it is missing) and returns the ORM. MikroORM connects
 * lazily, so connect here: start-up should fail or succeed now, not on the first request. Two
 * processes creating the same database at once: the loser sees a duplicate and simply reconnects.
 */
export async function initOrm(settings: OrmSettings): Promise<Orm> {
  const orm = await MikroORM.init(ormOptions(settings));
  try {
    await orm.connect();
  } catch (err) {
    if (!(err instanceof Error && err.message.includes('pg_database_datname_index'))) throw err;
    await orm.close();
    return initOrm(settings);
  }
  return orm;
}

/** An ORM that has not connected yet: it connects on first use, so a down database cannot block start-up. */
export function createOrm(settings: OrmSettings): Orm {
  return new MikroORM(ormOptions({ ...settings }));
}

/**
 * Resolves when a pooled connection answers; for the readiness check. Raw SQL: the cheapest
 * statement there is, and about no table, so neither the entity manager nor Kysely adds anything.
 */
export async function pingDatabase(orm: Orm): Promise<void> {
  await orm.driver.getConnection().execute('select 1');
}

/** Arbitrary, fixed key: every process of this service migrating the same database contends on it. */
const MIGRATION_LOCK_KEY = 727_465_112;

/**
 * Applies pending migrations. Several processes starting at once (API replicas, workers) take turns
 * behind a PostgreSQL advisory lock, so none of them races another on a fresh database.
 */
export async function migrate(orm: Orm): Promise<string[]> {
  const pool = await orm.em.getConnection().getNativeClient();
  const lockHolder = await pool.connect();
  try {
    // Raw SQL: advisory locks are functions held by one connection, outside the ORM's pooling.
    await lockHolder.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await orm.migrator.up();
    return applied.map((migration) => migration.name);
  } finally {
    await lockHolder
      .query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
      .catch(() => undefined);
    lockHolder.release();
  }
}
