import { Migration } from '@mikro-orm/migrations';

/**
 * Task lists across projects. A list of every task the caller sees reads, for each project they
 * are a member of, that project's tasks in sort order (a lateral index range scan per project,
 * merged), so each sort needs an index led by `project_id`, as the owner and assignee sides have
 * theirs; and the filters (status, priority, due range) of a big project are counted from the index
 * as the owner's are. Partial over live rows, ending in `id` for the keyset order.
 *
 * On 1.2M tasks the seven indexes took 27 s (docs/migrations.md); `create index` blocks writes to
 * tasks, not reads, for that long.
 */
const SORTS = [
  ['created', 'created_at'],
  ['updated', 'updated_at'],
  ['due_asc', 'due_asc'],
  ['due_desc', 'due_desc'],
  ['priority', 'priority_rank'],
  ['title', 'title'],
] as const;

export class Migration20261206123400_project_task_list_indexes extends Migration {
  override up(): void {
    // Building an index over millions of tasks takes longer than the pool's statement timeout
    // (10 s); `local`: for this migration's transaction only.
    this.addSql('set local statement_timeout = 0;');
    for (const [name, column] of SORTS) {
      this.addSql(
        `create index tasks_project_${name} on tasks (project_id, ${column}, id) where deleted_at is null;`,
      );
    }
    this.addSql(
      'create index tasks_project_filters on tasks (project_id, status, priority, due_date) where deleted_at is null;',
    );
  }

  override down(): void {
    this.addSql('drop index if exists tasks_project_filters;');
    for (const [name] of SORTS) this.addSql(`drop index if exists tasks_project_${name};`);
  }
}
