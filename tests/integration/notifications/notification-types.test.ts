import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { entities } from '../../../src/container.ts';
import { NOTIFICATION_TYPES } from '../../../src/modules/notifications/domain/notification.ts';
import { initOrm, type Orm } from '../../../src/shared/infra/orm.ts';

/**
 * A migration is frozen history, so the notification types its CHECK constraint admits are written
 * out there; this holds them to the one list the code derives everything else from.
 */
describe('the notification types in the migrated database', () => {
  let orm: Orm;

  beforeAll(async () => {
    orm = await initOrm({ databaseUrl: inject('databaseUrl'), entities });
  });

  afterAll(async () => {
    await orm.close();
  });

  it('are exactly NOTIFICATION_TYPES', async () => {
    const rows = await orm.em.getConnection().execute<Array<{ definition: string }>>(
      `select pg_get_constraintdef(c.oid) as definition
         from pg_constraint c
        where c.conrelid = 'notifications'::regclass and c.contype = 'c'
          and pg_get_constraintdef(c.oid) like '%type = ANY%'`,
    );
    expect(rows).toHaveLength(1);
    const admitted = [...rows[0]!.definition.matchAll(/'([^']+)'::text/g)].map((m) => m[1]);
    expect(admitted.sort()).toEqual([...NOTIFICATION_TYPES].sort());
  });
});
