import { Migration } from '@mikro-orm/migrations';

/**
 * A project's live tasks from an index: every project representation counts them, and deleting
 * a project soft-deletes them in one statement. Reversible: `down` drops the index.
 */
export class Migration20261206123100_project_tasks extends Migration {
  override up(): void {
    this.addSql('create index tasks_project_live on tasks (project_id) where deleted_at is null;');
  }

  override down(): void {
    this.addSql('drop index if exists tasks_project_live;');
  }
}
