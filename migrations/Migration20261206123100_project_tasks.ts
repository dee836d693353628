import { Migration } from '@mikro-orm/migrations';

/**
 * A project's live tasks from an index: every project representation counts them, and deleting
 * a project soft-deletes them in one statement. The admins' list of every project pages newest
 * first from an index. Reversible: `down` drops both indexes.
 */
export class Migration20261206123100_project_tasks extends Migration {
  override up(): void {
    this.addSql('create index tasks_project_live on tasks (project_id) where deleted_at is null;');
    this.addSql(
      'create index projects_live_created on projects (created_at, id) where deleted_at is null;',
    );
  }

  override down(): void {
    this.addSql('drop index if exists projects_live_created;');
    this.addSql('drop index if exists tasks_project_live;');
  }
}
