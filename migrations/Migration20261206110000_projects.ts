import { Migration } from '@mikro-orm/migrations';

/**
 * Shared projects. Every user gets a personal project, the Inbox, and every existing task moves
 * into its owner's Inbox, so what each user sees is unchanged. Outbox events may now concern a
 * project instead of a task (`project.*`).
 *
 * Backfilled Inbox ids are UUIDv7 drawn from the user's `created_at` (PostgreSQL 15 has no
 * `uuidv7()`), so they sort with the ids the service draws.
 *
 * Timed on 1.2M tasks: about 80 s, with tasks locked for reads and writes throughout
 * (docs/migrations.md).
 *
 * `down` is reversible in structure only: it drops every shared project, membership and
 * invitation; tasks keep their owner and assignee, which is who saw them before.
 */
export class Migration20261206110000_projects extends Migration {
  override up(): void {
    // Filling tasks.project_id rewrites every task: over a minute on a big table, far past the
    // pool's statement timeout (10 s), which made the migration fail there (docs/migrations.md).
    this.addSql('set local statement_timeout = 0;');
    this.addSql(`
      create table projects (
        id uuid primary key,
        name text not null,
        description text,
        color text,
        inbox_user_id uuid unique references users (id) on delete cascade,
        archived_at timestamptz,
        deleted_at timestamptz,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        version integer not null default 1,
        constraint projects_name_check check (char_length(name) >= 1 and char_length(name) <= 100),
        constraint projects_color_check check (color ~ '^#[0-9A-Fa-f]{6}$'),
        constraint projects_version_check check (version >= 1),
        constraint projects_inbox_check check (inbox_user_id is null or (archived_at is null and deleted_at is null))
      );`);
    this.addSql(`
      create table project_members (
        project_id uuid not null references projects (id) on delete cascade,
        user_id uuid not null references users (id) on delete cascade,
        role text not null,
        joined_at timestamptz not null,
        primary key (project_id, user_id),
        constraint project_members_role_check check (role in ('viewer', 'editor', 'admin', 'owner'))
      );`);
    this.addSql(
      `create unique index project_members_one_owner on project_members (project_id) where role = 'owner';`,
    );
    this.addSql(
      'create index project_members_user on project_members (user_id, project_id) include (role);',
    );
    this.addSql(`
      create table project_invitations (
        id uuid primary key,
        project_id uuid not null references projects (id) on delete cascade,
        email text not null,
        role text not null,
        invited_by uuid not null references users (id) on delete cascade,
        status text not null default 'pending',
        expires_at timestamptz not null,
        created_at timestamptz not null,
        responded_at timestamptz,
        constraint project_invitations_role_check check (role in ('viewer', 'editor', 'admin')),
        constraint project_invitations_status_check check (status in ('pending', 'accepted', 'declined', 'revoked', 'expired')),
        constraint project_invitations_email_normalised check (email = lower(btrim(email)))
      );`);
    this.addSql(
      `create unique index project_invitations_pending on project_invitations (project_id, email) where status = 'pending';`,
    );
    this.addSql(
      `create index project_invitations_email_pending on project_invitations (email, created_at) where status = 'pending';`,
    );

    this.addSql(`
      insert into projects (id, name, inbox_user_id, created_at, updated_at, version)
      select encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
               placing substring(int8send((extract(epoch from u.created_at) * 1000)::bigint) from 3)
               from 1 for 6), 52, 1), 53, 1), 'hex')::uuid,
             'Inbox', u.id, u.created_at, u.created_at, 1
        from users u;`);
    this.addSql(`
      insert into project_members (project_id, user_id, role, joined_at)
      select id, inbox_user_id, 'owner', created_at from projects where inbox_user_id is not null;`);

    // Filling project_id with an `update` wrote a second version of every task and an entry in
    // each of its 16 indexes per row: 9 minutes on 1.2M tasks, the table left twice its size.
    // Changing the column's type to itself with a `using` expression rewrites the table once
    // instead, into a compact heap, and builds every index afresh by sorting (what
    // maintenance_work_mem is for); the `not null` is checked during that pass and the foreign
    // key by one join right after, all in one statement. `using` takes no subquery, hence the
    // lookup function, dropped again below.
    this.addSql("set local maintenance_work_mem = '256MB';");
    this.addSql(`
      create function pg_temp.tasks_inbox_of(owner uuid) returns uuid
        language sql stable strict
        as $$ select id from projects where inbox_user_id = owner $$;`);
    this.addSql('alter table tasks add column project_id uuid;');
    this.addSql(`
      alter table tasks
        alter column project_id type uuid using pg_temp.tasks_inbox_of(owner_id),
        alter column project_id set not null,
        add constraint tasks_project_id_fkey foreign key (project_id) references projects (id) on delete cascade;`);
    this.addSql('drop function pg_temp.tasks_inbox_of(uuid);');

    this.addSql('alter table outbox_events alter column task_id drop not null;');
    this.addSql('alter table outbox_events add column project_id uuid;');
  }

  override down(): void {
    this.addSql('delete from outbox_events where task_id is null;');
    this.addSql('alter table outbox_events drop column project_id;');
    this.addSql('alter table outbox_events alter column task_id set not null;');
    this.addSql('alter table tasks drop column project_id;');
    this.addSql('drop table project_invitations;');
    this.addSql('drop table project_members;');
    this.addSql('drop table projects;');
  }
}
