import type { ColumnType } from 'kysely';

/**
 * A Kysely table type as MikroORM's pool hands rows over when no plugin converts them: it keeps
 * timestamps as strings. Written as `Date`s, read as strings. Hot statements use this rather than
 * `getKysely({ convertValues: true })`, whose plugin rewrites every query and converts every
 * result (measured: about twice the cost of a 20-row inbox page; `npm run bench -- persistence-core`).
 */
export type OnTheWire<Table> = { [Column in keyof Table]: WireColumn<Table[Column]> };

type WireColumn<T> = [T] extends [Date]
  ? ColumnType<string, Date, Date>
  : [T] extends [Date | null]
    ? ColumnType<string | null, Date | null, Date | null>
    : T;

export type OnTheWireDb<Db> = { [Table in keyof Db]: OnTheWire<Db[Table]> };
