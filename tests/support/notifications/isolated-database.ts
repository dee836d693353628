import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { entities } from '../../../src/container.ts';
import { initOrm, migrate, type Orm } from '../../../src/shared/infra/orm.ts';

export interface IsolatedDatabase {
  url: string;
  /** Runs SQL on the database (for what a test sets up behind the API's back). */
  execute<T = Record<string, unknown>>(query: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/**
 * A database of its own, migrated, next to the run's database. The outbox is global: a relay
 * running over the shared database would take other test files' events (and they its).
 */
export async function isolatedDatabase(label = 'notif'): Promise<IsolatedDatabase> {
  const base = new URL(inject('databaseUrl'));
  const name = `${base.pathname.slice(1)}_${label}_${randomBytes(3).toString('hex')}`;
  const url = new URL(base);
  url.pathname = `/${name}`;
  const orm: Orm = await initOrm({ databaseUrl: url.toString(), entities });
  await migrate(orm);
  return {
    url: url.toString(),
    execute: (query, params = []) => orm.em.getConnection().execute(query, params),
    async drop() {
      await orm.close();
      const admin = new URL(base);
      admin.pathname = '/postgres';
      const adminOrm = await initOrm({ databaseUrl: admin.toString(), entities });
      await adminOrm.em.getConnection().execute(`drop database if exists "${name}" with (force)`);
      await adminOrm.close();
    },
  };
}
