import { Migration } from '@mikro-orm/migrations';

const TYPES_BEFORE = `'task.assigned', 'task.status_changed', 'task.commented', 'task.due_soon',
                   'webhook.ping'`;
const TYPES_AFTER = `'task.assigned', 'task.status_changed', 'task.commented', 'task.due_soon',
                   'project.invited', 'project.member_added', 'project.member_removed',
                   'webhook.ping'`;

/**
 * Webhooks meet shared projects: a webhook may be scoped to one project (`project_id`; a deleted
 * project's row goes only when purged, its webhooks with it), and the project events become
 * deliverable types.
 */
export class Migration20261206124500_webhook_projects extends Migration {
  override up(): void {
    this.addSql(
      'alter table webhooks add column project_id uuid null references projects (id) on delete cascade;',
    );
    this.addSql('alter table webhook_deliveries drop constraint webhook_deliveries_type_check;');
    this.addSql(`
      alter table webhook_deliveries add constraint webhook_deliveries_type_check check (
        type in (${TYPES_AFTER})
      );`);
  }

  override down(): void {
    this.addSql(`delete from webhook_deliveries where type like 'project.%';`);
    this.addSql('alter table webhook_deliveries drop constraint webhook_deliveries_type_check;');
    this.addSql(`
      alter table webhook_deliveries add constraint webhook_deliveries_type_check check (
        type in (${TYPES_BEFORE})
      );`);
    this.addSql('alter table webhooks drop column project_id;');
  }
}
