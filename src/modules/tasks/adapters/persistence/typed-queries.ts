import type { EntityManager } from '@mikro-orm/postgresql';
import { createHash } from 'node:crypto';
import type { Compilable, Kysely } from 'kysely';
import type { TasksDb } from './tasks.entities.ts';

/** Kysely over the tasks tables, bound to the entity manager's transaction when there is one. */
export function tasksDb(em: EntityManager): Kysely<TasksDb> {
  return em.getKysely<TasksDb>();
}

const statementNames = new Map<string, string>();
/** Distinct statement texts kept prepared; beyond it, statements are still bound, not named. */
const MAX_PREPARED_SHAPES = 2_000;

/**
 * Runs a typed query. Outside a transaction it goes straight to the pool as a named statement
 * (when `prepare`), so each connection plans the shape once: planning costs about as much as
 * running a task page. Inside a transaction it runs on the transaction's connection.
 */
export async function rowsOf<R>(
  em: EntityManager,
  query: Compilable<R>,
  prepare = true,
): Promise<R[]> {
  const compiled = query.compile();
  if (em.isInTransaction()) return (await tasksDb(em).executeQuery(compiled)).rows;
  const pool = await em.getConnection().getNativeClient();
  const text = compiled.sql;
  const values = compiled.parameters as unknown[];
  const name = prepare ? statementName(text) : undefined;
  const result = await pool.query(name === undefined ? { text, values } : { name, text, values });
  return result.rows as R[];
}

function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_PREPARED_SHAPES) {
    name = `tasks_${createHash('sha256').update(text).digest('base64url').slice(0, 22)}`;
    statementNames.set(text, name);
  }
  return name;
}
