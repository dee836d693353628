import { Migration } from '@mikro-orm/migrations';

/**
 * Filtered task lists of users with many tasks. The per-sort indexes of the owner side give the
 * order but none of the filters, so a filter on status, priority or due date was checked row by
 * row on the heap: at 200,000 tasks a `status=pending` count was a sequential scan of the table and
 * status + priority + due range + category took ~250 ms for the page and as much for the count.
 * Equality columns first, then the due-date range: status, status + priority and status + priority
 * + due range are index ranges, and any of them (or priority or due range alone) is counted from
 * the index without visiting the table. Measured at 10,000 users × 100 tasks plus one user with
 * 200,000 (npm run seed).
 */
export class Migration20261122030000_task_list_indexes extends Migration {
  override up(): void {
    this.addSql(
      'create index tasks_owner_filters on tasks (owner_id, status, priority, due_date) where deleted_at is null;',
    );
  }

  override down(): void {
    this.addSql('drop index if exists tasks_owner_filters;');
  }
}
