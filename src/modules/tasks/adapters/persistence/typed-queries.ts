import type { EntityManager } from '@mikro-orm/postgresql';
import { createHash } from 'node:crypto';
import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
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
  query: Compilable<R> | CompiledQuery<R>,
  prepare = true,
): Promise<R[]> {
  const compiled = 'compile' in query ? query.compile() : query;
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

/**
 * Compiled statements by shape. The first query of a shape is built with a marker in place of
 * each value and compiled; later ones of the same shape only put their values where the markers
 * were, skipping Kysely's build and compile.
 */
export class StatementCache<V extends object> {
  private readonly shapes = new Map<string, { sql: string; slots: Array<keyof V> }>();

  bind<R>(shape: string, values: V, build: (marked: V) => Compilable<R>): CompiledQuery<R> {
    let entry = this.shapes.get(shape);
    if (entry === undefined) {
      const keys = Object.keys(values) as Array<keyof V>;
      const marked = Object.fromEntries(keys.map((key) => [key, marker(key)])) as V;
      const compiled = build(marked).compile();
      const slots = compiled.parameters.map((parameter) => {
        const key = keys.find((k) => marker(k) === parameter);
        if (key === undefined)
          throw new Error(`a ${shape} statement binds a value it was not given`);
        return key;
      });
      entry = { sql: compiled.sql, slots };
      if (this.shapes.size < MAX_PREPARED_SHAPES) this.shapes.set(shape, entry);
    }
    return CompiledQuery.raw(
      entry.sql,
      entry.slots.map((key) => values[key]),
    );
  }
}

const marker = (key: PropertyKey) => `\u0000${String(key)}`;
