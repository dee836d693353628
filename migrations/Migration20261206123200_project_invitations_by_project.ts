import { Migration } from '@mikro-orm/migrations';

/**
 * A project's invitations of every status, newest first (its admins' list), without reading the
 * whole table; the existing indexes cover only pending ones. The table is new and small, so a
 * plain (locking) build is brief.
 */
export class Migration20261206123200_project_invitations_by_project extends Migration {
  override up(): void {
    this.addSql(
      'create index project_invitations_project on project_invitations (project_id, created_at, id);',
    );
  }

  override down(): void {
    this.addSql('drop index project_invitations_project;');
  }
}
