import type { EntityManager } from '@mikro-orm/postgresql';
import type { CompiledQuery } from 'kysely';
import pg from 'pg';

/**
 * The driver's own type parsers. MikroORM's pool keeps timestamps as strings (its entities convert
 * them); a statement run here past the ORM asks for `Date`s, as the Kysely row type says.
 */
const DRIVER_TYPES = { getTypeParser: pg.types.getTypeParser };

/**
 * A query built once with Kysely (so its columns and row type come from the entities) and run on
 * the pool as a named prepared statement: each pool connection parses and plans it once, then
 * only binds. For the hottest reads, where building the query and hydrating entities per call
 * would cost more than the lookup itself. `build` is called once, on first use, with sample
 * parameters; `run` passes the real ones in the same order.
 */
export class PreparedStatement<Row> {
  private readonly name: string;
  private readonly build: () => CompiledQuery<Row>;
  private text: string | undefined;

  constructor(name: string, build: () => CompiledQuery<Row>) {
    this.name = name;
    this.build = build;
  }

  async run(em: EntityManager, values: unknown[]): Promise<Row[]> {
    this.text ??= this.build().sql;
    const pool = await em.getConnection().getNativeClient();
    const { rows } = await pool.query<Row & pg.QueryResultRow>({
      name: this.name,
      text: this.text,
      values,
      types: DRIVER_TYPES,
    });
    return rows;
  }
}

/**
 * Runs a compiled Kysely query on the pool as the named prepared statement `name`, with the
 * pool's own type parsers (MikroORM's: timestamps stay strings, so type the query
 * `OnTheWire`). Outside transactions only. Each distinct SQL text needs its own name: the driver
 * refuses a name reused for another text, so a mix-up fails loudly.
 */
export async function runNamed<Row>(
  em: EntityManager,
  name: string,
  query: CompiledQuery<Row>,
): Promise<Row[]> {
  const pool = await em.getConnection().getNativeClient();
  const { rows } = await pool.query<Row & pg.QueryResultRow>({
    name,
    text: query.sql,
    values: [...query.parameters],
  });
  return rows;
}
