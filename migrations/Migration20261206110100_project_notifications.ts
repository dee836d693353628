import { Migration } from '@mikro-orm/migrations';

/** Notifications about shared projects: an invitation, a member joining or leaving. */
export class Migration20261206110100_project_notifications extends Migration {
  override up(): void {
    this.addSql('alter table notifications drop constraint notifications_type_check;');
    this.addSql(`
      alter table notifications add constraint notifications_type_check check (
        type in ('task.assigned', 'task.due_soon', 'task.status_changed', 'task.commented',
                 'project.invited', 'project.member_added', 'project.member_removed')
      );`);
  }

  override down(): void {
    this.addSql(`delete from notifications where type like 'project.%';`);
    this.addSql('alter table notifications drop constraint notifications_type_check;');
    this.addSql(`
      alter table notifications add constraint notifications_type_check check (
        type in ('task.assigned', 'task.due_soon', 'task.status_changed', 'task.commented')
      );`);
  }
}
