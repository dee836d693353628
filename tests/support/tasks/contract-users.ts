import { randomUUID } from 'node:crypto';
import type { Orm } from '../../../src/shared/infra/orm.ts';

/**
 * Three active, verified users stored in PostgreSQL, for the repository contract suites: the
 * tasks tables' foreign keys need the rows, and the in-memory side only needs the ids.
 */
export async function storedUsers(orm: Orm): Promise<[string, string, string]> {
  const ids: [string, string, string] = [randomUUID(), randomUUID(), randomUUID()];
  for (const id of ids) {
    await orm.em.getConnection().execute(
      `insert into users (id, email, full_name, password_hash, role, email_verified,
         is_active, failed_login_count, created_at, updated_at)
       values (?, ?, 'Contract', 'x', 'user', true, true, 0, now(), now())`,
      [id, `contract-${id}@example.test`],
    );
  }
  return ids;
}
