import type { EntityManager } from '@mikro-orm/postgresql';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from 'kysely';
import {
  countQuery,
  pageQuery,
} from '../src/modules/tasks/adapters/persistence/task-list-query.ts';
import type { TasksDb } from '../src/modules/tasks/adapters/persistence/tasks.entities.ts';
import type { TaskListQuery } from '../src/modules/tasks/application/ports.ts';

export interface Sql {
  text: string;
  params: unknown[];
}

/** Compiles the repository's typed queries without a connection (PostgreSQL dialect). */
export const compiler = new Kysely<TasksDb>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const toSql = (compiled: { sql: string; parameters: readonly unknown[] }): Sql => ({
  text: compiled.sql,
  params: [...compiled.parameters],
});

/** The SQL `MikroOrmTaskRepository.list` runs for `query`: the page (with its rows) and the count. */
export function listStatements(query: TaskListQuery): { page: Sql; count: Sql } {
  return {
    page: toSql(pageQuery(compiler, query).compile()),
    count: toSql(countQuery(compiler, query).compile()),
  };
}

/** `GET /api/v1/tasks?limit=20` with every default, for `userId`. */
export const defaultListQuery = (userId: string): TaskListQuery => ({
  userId,
  scope: 'all',
  sort: '-created_at',
  limit: 20,
  window: { type: 'offset', offset: 0 },
});

/**
 * For node-postgres: `$1, $2, ...` placeholders as they are; `?` placeholders (the hand-written
 * baseline's) numbered.
 */
export function numbered(sql: Sql): { text: string; values: unknown[] } {
  if (/\$1\b/.test(sql.text)) return { text: sql.text, values: sql.params };
  let n = 0;
  return { text: sql.text.replace(/\?/g, () => `$${++n}`), values: sql.params };
}

/** Runs `sql` on the pool of `em` (node-postgres), as the repository does outside a transaction. */
export async function execSql<R = Record<string, unknown>>(
  em: EntityManager,
  sql: Sql,
): Promise<R[]> {
  const pool = await em.getConnection().getNativeClient();
  return (await pool.query(numbered(sql))).rows as R[];
}
