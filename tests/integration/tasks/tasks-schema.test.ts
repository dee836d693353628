import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { entities } from '../../../src/container.ts';
import { tasksSchemaDifferences } from '../../../src/modules/tasks/adapters/persistence/schema-differences.ts';
import { tasksEntities } from '../../../src/modules/tasks/adapters/persistence/tasks.entities.ts';
import { initOrm, type Orm } from '../../../src/shared/infra/orm.ts';

/**
 * The tasks entities describe the migrated tables exactly: MikroORM's schema generator, comparing
 * them with the database the migrations built, proposes nothing for the tasks tables beyond the
 * differences kept on purpose (each with its reason in `schema-differences.ts`).
 */

let orm: Orm;
const tables = tasksEntities.map((entity) => entity.meta.tableName);

beforeAll(async () => {
  orm = await initOrm({ databaseUrl: inject('databaseUrl'), entities, poolMax: 1 });
});

afterAll(async () => {
  await orm.close();
});

/** The generator's statements touching a tasks table. */
async function tasksStatements(): Promise<string[]> {
  const sql = await orm.schema.getUpdateSchemaSQL({ wrap: false });
  return sql
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .filter((line) => tables.some((table) => line.includes(`"${table}"`)));
}

describe('tasks entities against the migrated schema', () => {
  it('covers every tasks table', () => {
    expect(tables.sort()).toEqual(
      ['attachments', 'categories', 'comments', 'outbox_events', 'task_categories', 'tasks'].sort(),
    );
  });

  it('differs only where a difference is declared', async () => {
    const statements = await tasksStatements();
    const undeclared = statements.filter(
      (statement) => !tasksSchemaDifferences.some((d) => d.statement.test(statement)),
    );
    expect(undeclared).toEqual([]);
  });

  it('has every declared difference still present (none is stale)', async () => {
    const statements = await tasksStatements();
    const stale = tasksSchemaDifferences.filter(
      (d) => !statements.some((statement) => d.statement.test(statement)),
    );
    expect(stale.map((d) => d.statement.source)).toEqual([]);
  });
});
