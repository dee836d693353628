import { Migration } from '@mikro-orm/migrations';

const SORT_KEYS = {
  created: 'created_at',
  updated: 'updated_at',
  due_asc: 'due_asc',
  due_desc: 'due_desc',
  priority: 'priority_rank',
  title: 'title',
} as const;

/**
 * Tasks, categories, comments, attachments and the outbox of task events.
 *
 * Listing reads one user's tasks (owned or assigned) in one of five orders, with keyset paging:
 * for each side (owner, assignee) and each order there is a partial index over live rows ending
 * in `id`, so a page is one index range scan at any depth. Tasks without a due date sort last in
 * both directions through `due_asc`/`due_desc`, which replace NULL with ±infinity.
 */
export class Migration20261122020000_tasks extends Migration {
  override up(): void {
    this.addSql(`
      create table tasks (
        id uuid primary key,
        owner_id uuid not null references users (id) on delete cascade,
        assignee_id uuid null references users (id) on delete set null,
        title text not null,
        description text null,
        status text not null check (status in ('pending', 'in_progress', 'completed')),
        priority text not null check (priority in ('low', 'medium', 'high', 'urgent')),
        priority_rank smallint generated always as (
          case priority when 'low' then 0 when 'medium' then 1 when 'high' then 2 else 3 end
        ) stored,
        due_date timestamptz null,
        due_asc timestamptz generated always as (coalesce(due_date, 'infinity')) stored,
        due_desc timestamptz generated always as (coalesce(due_date, '-infinity')) stored,
        remind_at timestamptz null,
        search_text text generated always as (lower(title || ' ' || coalesce(description, ''))) stored,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        completed_at timestamptz null,
        deleted_at timestamptz null,
        version integer not null check (version >= 1)
      );`);
    for (const side of ['owner', 'assignee']) {
      for (const [name, column] of Object.entries(SORT_KEYS)) {
        this.addSql(
          `create index tasks_${side}_${name} on tasks (${side}_id, ${column}, id) where deleted_at is null;`,
        );
      }
    }
    this.addSql(
      'create index tasks_search_trgm on tasks using gin (search_text gin_trgm_ops) where deleted_at is null;',
    );

    this.addSql(`
      create table categories (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        name text not null,
        name_key text not null,
        color text null check (color ~ '^#[0-9A-Fa-f]{6}$'),
        created_at timestamptz not null
      );`);
    this.addSql('create unique index categories_user_name_key on categories (user_id, name_key);');

    this.addSql(`
      create table task_categories (
        task_id uuid not null references tasks (id) on delete cascade,
        category_id uuid not null references categories (id) on delete cascade,
        primary key (task_id, category_id)
      );`);
    this.addSql('create index task_categories_category on task_categories (category_id, task_id);');

    this.addSql(`
      create table comments (
        id uuid primary key,
        task_id uuid not null references tasks (id) on delete cascade,
        author_id uuid not null references users (id) on delete cascade,
        body text not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      );`);
    this.addSql('create index comments_task_created on comments (task_id, created_at, id);');

    this.addSql(`
      create table attachments (
        id uuid primary key,
        task_id uuid not null references tasks (id) on delete cascade,
        filename text not null,
        content_type text not null,
        size_bytes bigint not null check (size_bytes >= 0),
        sha256 text not null,
        storage_key text not null unique,
        uploaded_by uuid not null references users (id) on delete cascade,
        created_at timestamptz not null
      );`);
    this.addSql('create index attachments_task_created on attachments (task_id, created_at, id);');

    this.addSql(`
      create table outbox_events (
        id uuid primary key,
        type text not null,
        task_id uuid not null,
        actor_id uuid not null,
        recipients uuid[] not null,
        payload jsonb not null,
        occurred_at timestamptz not null,
        processed_at timestamptz null,
        attempts integer not null default 0
      );`);
    this.addSql(
      'create index outbox_events_pending on outbox_events (occurred_at, id) where processed_at is null;',
    );
  }

  override down(): void {
    for (const table of [
      'outbox_events',
      'attachments',
      'comments',
      'task_categories',
      'categories',
      'tasks',
    ]) {
      this.addSql(`drop table if exists ${table};`);
    }
  }
}
