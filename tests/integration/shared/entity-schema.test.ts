import { globSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { entities } from '../../../src/container.ts';
import { initOrm, type Orm } from '../../../src/shared/infra/orm.ts';
import type { SchemaDifference } from '../../../src/shared/infra/schema-difference.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Every module's deliberate differences between its entities and its migrations, from
 * `src/modules/<module>/adapters/persistence/schema-differences.ts`: each exports lists of
 * `{ table, pattern, reason }`. Found by path, so a module that adds such a file is covered.
 */
async function deliberateDifferences(): Promise<SchemaDifference[]> {
  const files = globSync('src/modules/*/adapters/persistence/schema-differences.ts', { cwd: ROOT });
  const lists = await Promise.all(
    files.map(async (file) => {
      const exported = (await import(pathToFileURL(`${ROOT}${file}`).href)) as Record<
        string,
        unknown
      >;
      return Object.values(exported).filter(Array.isArray).flat() as SchemaDifference[];
    }),
  );
  return lists.flat();
}

/** An index or unique constraint an entity declares by raw `create index` text. */
interface ExpressionIndex {
  table: string;
  name: string;
  expression: string;
}

/**
 * The indexes every entity declares by `expression`. The schema generator compares those by name
 * only, so their columns, order, method and `where` are held to the migrations separately.
 */
function expressionIndexes(orm: Orm): ExpressionIndex[] {
  return [...orm.getMetadata().getAll().values()].flatMap((meta) =>
    [...meta.indexes, ...meta.uniques].flatMap((index) => {
      if (index.expression === undefined) return [];
      if (typeof index.expression !== 'string' || index.name === undefined) {
        throw new Error(`${meta.tableName}: an expression index needs a name and a text`);
      }
      return [{ table: meta.tableName, name: index.name, expression: index.expression }];
    }),
  );
}

/** `pg_get_indexdef` of each named index in the public schema. */
async function indexDefinitions(em: Orm['em'], names: string[]): Promise<Map<string, string>> {
  const rows = await em.execute<Array<{ name: string; definition: string }>>(
    `select c.relname as name, pg_get_indexdef(c.oid) as definition
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'i' and c.relname = any(?::text[])`,
    // As an array literal: `execute` would inline a JS array as a list.
    [`{${names.join(',')}}`],
  );
  return new Map(rows.map((row) => [row.name, row.definition]));
}

/** The statements of the generator's script, one each, without the trailing semicolon. */
function statements(sql: string): string[] {
  return sql
    .split(/;\s*\n/)
    .map((statement) => statement.trim().replace(/;$/, ''))
    .filter((statement) => statement.length > 0 && !/^set /i.test(statement));
}

describe('entities and migrations', () => {
  let orm: Orm;
  let differences: SchemaDifference[];

  beforeAll(async () => {
    // The test database has every migration applied (tests/support/global-setup.ts).
    orm = await initOrm({ databaseUrl: inject('databaseUrl'), entities });
    differences = await deliberateDifferences();
  });

  afterAll(async () => {
    await orm.close();
  });

  it('every listed difference has a table, a pattern and a reason', () => {
    for (const difference of differences) {
      expect(difference.table).toMatch(/^[a-z_]+$/);
      expect(difference.pattern).toBeInstanceOf(RegExp);
      expect(difference.reason.length).toBeGreaterThan(20);
    }
  });

  it('every table of the migrated database has an entity', async () => {
    const rows = await orm.em.getConnection().execute<Array<{ table_name: string }>>(
      `select table_name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE'
          and table_name <> 'mikro_orm_migrations'`,
    );
    const mapped = new Set([...orm.getMetadata().getAll().values()].map((meta) => meta.tableName));
    const unmapped = rows.map((row) => row.table_name).filter((table) => !mapped.has(table));
    expect(unmapped.sort()).toEqual([]);
  });

  it('every index declared by expression is the migrated index, column by column', async () => {
    const declared = expressionIndexes(orm);
    expect(declared.length).toBeGreaterThan(0);
    const migrated = await indexDefinitions(
      orm.em,
      declared.map((index) => index.name),
    );
    // PostgreSQL itself normalises the declared text: each is created under a scratch name in a
    // transaction that is rolled back, and its pg_get_indexdef compared with the migrated one's.
    const em = orm.em.fork();
    const asDeclared = new Map<string, string | undefined>();
    await em.begin();
    try {
      for (const index of declared) {
        const scratch = `${index.name}_declared`;
        const head = new RegExp(
          `^(create\\s+(?:unique\\s+)?index\\s+)"?${index.name}"?(?=\\s)`,
          'i',
        );
        expect(index.expression, `${index.table}.${index.name}`).toMatch(head);
        await em.execute(index.expression.replace(head, `$1"${scratch}"`));
        const [definition] = (await indexDefinitions(em, [scratch])).values();
        expect(definition, `${index.table}.${index.name} as declared`).toBeDefined();
        asDeclared.set(index.name, definition?.replace(scratch, index.name));
      }
    } finally {
      await em.rollback();
    }
    const mismatched = declared
      .filter((index) => migrated.get(index.name) !== asDeclared.get(index.name))
      .map((index) => ({
        index: index.name,
        migrated: migrated.get(index.name) ?? '(missing)',
        declared: asDeclared.get(index.name),
      }));
    expect(mismatched).toEqual([]);
  });

  it('the schema generator finds nothing to change but the listed differences', async () => {
    const sql = await orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true });
    const unexplained = statements(sql).filter(
      (statement) => !differences.some((difference) => difference.pattern.test(statement)),
    );
    expect(unexplained).toEqual([]);
  });

  it('every listed difference still occurs (a stale entry would hide a future one)', async () => {
    const found = statements(
      await orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true }),
    );
    const stale = differences.filter(
      (difference) => !found.some((statement) => difference.pattern.test(statement)),
    );
    expect(stale.map((difference) => `${difference.table}: ${difference.pattern}`)).toEqual([]);
  });
});
