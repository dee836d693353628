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
