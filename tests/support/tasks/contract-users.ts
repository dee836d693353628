import { randomUUID } from 'node:crypto';
import type { Orm } from '../../../src/shared/infra/orm.ts';
import { InMemoryProjectRepository } from './in-memory-project-repository.ts';
import type { InMemoryTasksDb } from './in-memory-tasks-db.ts';

/** `storedUsers` for the in-memory side: three ids, each with an Inbox whose id is its own. */
export function inMemoryUsers(db: InMemoryTasksDb): Promise<[string, string, string]> {
  const ids: [string, string, string] = [randomUUID(), randomUUID(), randomUUID()];
  const projects = new InMemoryProjectRepository(db);
  for (const id of ids) projects.addInbox(id, id);
  return Promise.resolve(ids);
}

/**
 * Three active, verified users stored in PostgreSQL, for the repository contract suites: the
 * tasks tables' foreign keys need the rows, and the in-memory side only needs the ids. Each has
 * an Inbox whose id is the user's own, so a task built for an owner needs nothing more.
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
    await orm.em
      .getConnection()
      .execute(
        `insert into projects (id, name, inbox_user_id, created_at, updated_at) values (?, 'Inbox', ?, now(), now())`,
        [id, id],
      );
    await orm.em
      .getConnection()
      .execute(
        `insert into project_members (project_id, user_id, role, joined_at) values (?, ?, 'owner', now())`,
        [id, id],
      );
  }
  return ids;
}
