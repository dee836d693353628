import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { entities } from '../../../src/container.ts';
import { initOrm, migrate, type Orm } from '../../../src/shared/infra/orm.ts';

const BEFORE_PROJECTS = 'Migration20261206090100_outbox_trace_context';
const PROJECTS = 'Migration20261206110000_projects';

/** `pg_get_indexdef` of every index on `tasks`, by name. */
async function taskIndexes(orm: Orm): Promise<Record<string, string>> {
  const rows = await orm.em.fork().execute<Array<{ name: string; definition: string }>>(
    `select c.relname as name, pg_get_indexdef(i.indexrelid) as definition
         from pg_index i join pg_class c on c.oid = i.indexrelid
        where i.indrelid = 'tasks'::regclass`,
  );
  return Object.fromEntries(rows.map((row) => [row.name, row.definition]));
}

/**
 * The projects migration fills `tasks.project_id` by rewriting the table rather than updating
 * each row (docs/migrations.md); this holds it to the same result on a database that already
 * has users and tasks, which the other tests (on empty databases) never see.
 */
describe('the projects migration on a populated database', () => {
  let orm: Orm;
  let database: string;
  const users = [randomUUID(), randomUUID(), randomUUID()];
  const tasks: Array<{ id: string; owner: string; assignee: string | null; deleted: boolean }> = [
    { id: randomUUID(), owner: users[0]!, assignee: null, deleted: false },
    { id: randomUUID(), owner: users[0]!, assignee: users[1]!, deleted: false },
    { id: randomUUID(), owner: users[0]!, assignee: null, deleted: true },
    { id: randomUUID(), owner: users[1]!, assignee: users[0]!, deleted: false },
  ];
  let indexesBefore: Record<string, string>;

  beforeAll(async () => {
    const url = new URL(inject('databaseUrl'));
    database = `${url.pathname.slice(1)}_projmig_${Date.now().toString(36)}`;
    url.pathname = `/${database}`;
    orm = await initOrm({ databaseUrl: url.toString(), entities });
    await orm.migrator.up({ to: BEFORE_PROJECTS });
    const em = orm.em.fork();
    for (const [n, id] of users.entries()) {
      await em.execute(
        `insert into users (id, email, full_name, password_hash, created_at, updated_at)
         values (?, ?, 'User', 'x', now() - make_interval(days => ?), now())`,
        [id, `user-${n}@example.test`, n + 1],
      );
    }
    for (const task of tasks) {
      await em.execute(
        `insert into tasks (id, owner_id, assignee_id, title, status, priority, created_at,
                            updated_at, deleted_at, version)
         values (?, ?, ?, 'Task', 'in_progress', 'high', now(), now(), ?, 1)`,
        [task.id, task.owner, task.assignee, task.deleted ? new Date() : null],
      );
    }
    indexesBefore = await taskIndexes(orm);
    await orm.migrator.up({ to: PROJECTS });
  });

  afterAll(async () => {
    await orm.schema.dropDatabase(database);
    await orm.close();
  });

  it("puts every task, deleted ones too, into its owner's Inbox", async () => {
    const rows = await orm.em.fork().execute<Array<{ id: string; inboxOf: string }>>(
      `select t.id, p.inbox_user_id as "inboxOf"
         from tasks t join projects p on p.id = t.project_id`,
    );
    expect(Object.fromEntries(rows.map((row) => [row.id, row.inboxOf]))).toEqual(
      Object.fromEntries(tasks.map((task) => [task.id, task.owner])),
    );
  });

  it('gives every user, with tasks or without, one Inbox they own', async () => {
    const rows = await orm.em.fork().execute<Array<{ userId: string; role: string }>>(
      `select m.user_id as "userId", m.role
         from projects p join project_members m on m.project_id = p.id
        where p.inbox_user_id = m.user_id and p.name = 'Inbox'`,
    );
    expect(rows.map((row) => `${row.userId}:${row.role}`).sort()).toEqual(
      users.map((id) => `${id}:owner`).sort(),
    );
  });

  it('leaves the column not null, its foreign key validated, and the indexes of tasks as they were', async () => {
    const em = orm.em.fork();
    const [column] = await em.execute<Array<{ notNull: boolean }>>(
      `select attnotnull as "notNull" from pg_attribute
        where attrelid = 'tasks'::regclass and attname = 'project_id'`,
    );
    expect(column?.notNull).toBe(true);
    const [fk] = await em.execute<Array<{ validated: boolean; definition: string }>>(
      `select convalidated as validated, pg_get_constraintdef(oid) as definition
         from pg_constraint where conname = 'tasks_project_id_fkey'`,
    );
    expect(fk).toEqual({
      validated: true,
      definition: 'FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE',
    });
    expect(await taskIndexes(orm)).toEqual(indexesBefore);
    const helpers = await em.execute(`select 1 from pg_proc where proname = 'tasks_inbox_of'`);
    expect(helpers).toEqual([]);
  });

  it('lets the remaining migrations run after it', async () => {
    await expect(migrate(orm)).resolves.not.toContain(PROJECTS);
  });
});
