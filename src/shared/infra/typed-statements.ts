import type { EntityManager } from '@mikro-orm/postgresql';
import { createHash } from 'node:crypto';
import { CompiledQuery, type ColumnType, type Compilable } from 'kysely';

/**
 * Hot typed queries: built with Kysely over the entities' tables (so columns and row types come
 * from the entities), compiled once per shape, and run as named prepared statements.
 *
 * Rows come back as MikroORM's pool hands them over: timestamps as strings, which the adapters'
 * row mappers turn into `Date`s. The same holds inside a transaction, so a mapper sees one shape
 * whichever path ran. (Parsing in the mapper is cheaper than the driver's own timestamp parser,
 * and cheaper still than `getKysely({ convertValues: true })`, whose plugin rewrites every query
 * and converts every result: `npm run bench -- persistence`.)
 */

/** Distinct statement texts kept prepared (and shapes kept compiled); beyond it, only bound. */
const MAX_PREPARED_SHAPES = 2_000;

const statementNames = new Map<string, string>();

/**
 * Runs a typed query and returns its rows as they arrive (timestamps as strings). Outside a
 * transaction it goes straight to the pool as a named statement (unless `prepare` is false, for
 * shapes that are not worth keeping, e.g. with literal offsets), so each connection parses and
 * plans the shape once, then only binds. Inside a transaction it runs on the transaction's
 * connection, so it sees that transaction's writes.
 */
export async function rowsOf<R>(
  em: EntityManager,
  query: Compilable<R> | CompiledQuery<R>,
  prepare = true,
): Promise<Array<OnTheWireRow<R>>> {
  const compiled = 'compile' in query ? query.compile() : query;
  if (em.isInTransaction()) {
    return (await em.getKysely().executeQuery(compiled)).rows as Array<OnTheWireRow<R>>;
  }
  const pool = await em.getConnection().getNativeClient();
  const text = compiled.sql;
  const values = compiled.parameters as unknown[];
  const name = prepare ? statementName(text) : undefined;
  const result = await pool.query(name === undefined ? { text, values } : { name, text, values });
  return result.rows as Array<OnTheWireRow<R>>;
}

/**
 * The statement's name: derived from its text, so a name is never reused for another text (the
 * driver refuses that) and the same text is planned once per connection whichever adapter runs it.
 */
function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_PREPARED_SHAPES) {
    name = `s_${createHash('sha256').update(text).digest('base64url').slice(0, 22)}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Compiled statements by shape. The first query of a shape is built with a marker in place of
 * each value and compiled; later ones of the same shape only put their values where the markers
 * were, skipping Kysely's build and compile. Every value the statement binds must come from
 * `values` (a constant built into the query would not be found among the markers: it throws).
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

/** A result row as `rowsOf` returns it: each timestamp a string. */
export type OnTheWireRow<Row> = { [Column in keyof Row]: WireValue<Row[Column]> };

type WireValue<T> = [T] extends [Date] ? string : [T] extends [Date | null] ? string | null : T;

/**
 * A Kysely table type as the pool reads it: timestamps written as `Date`s, read as strings. For
 * queries run on a plugin-free `getKysely()` other than through `rowsOf`.
 */
export type OnTheWire<Table> = { [Column in keyof Table]: WireColumn<Table[Column]> };

type WireColumn<T> = [T] extends [Date]
  ? ColumnType<string, Date, Date>
  : [T] extends [Date | null]
    ? ColumnType<string | null, Date | null, Date | null>
    : T;

export type OnTheWireDb<Db> = { [Table in keyof Db]: OnTheWire<Db[Table]> };
