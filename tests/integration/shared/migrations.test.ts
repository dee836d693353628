import { describe, expect, inject, it } from 'vitest';
import { entities } from '../../../src/container.ts';
import { initOrm, migrate } from '../../../src/shared/infra/orm.ts';

describe('migrations', () => {
  it('are applied exactly once when several processes start on a fresh database at the same time', async () => {
    const url = new URL(inject('databaseUrl'));
    const database = `${url.pathname.slice(1)}_mig_${Date.now().toString(36)}`;
    url.pathname = `/${database}`;
    const orms = await Promise.all(
      [1, 2, 3].map(() => initOrm({ databaseUrl: url.toString(), entities })),
    );
    try {
      const applied = await Promise.all(orms.map((orm) => migrate(orm)));
      const executed = (await orms[0]!.migrator.getExecuted()).length;
      expect(executed).toBeGreaterThan(0);
      expect(applied.map((names) => names.length).sort()).toEqual([0, 0, executed]);
    } finally {
      await Promise.all(orms.slice(1).map((orm) => orm.close()));
      await orms[0]!.schema.dropDatabase(database);
      await orms[0]!.close();
    }
  });
});
