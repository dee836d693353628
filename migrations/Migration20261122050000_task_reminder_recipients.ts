import { Migration } from '@mikro-orm/migrations';

/**
 * Who a reminder is for, as the last reminder change said: the reminder job reads the task as one
 * of them (the tasks module shows a task only to its owner and assignee).
 */
export class Migration20261122050000_task_reminder_recipients extends Migration {
  override up(): void {
    this.addSql(`alter table task_reminders add column recipients uuid[] not null default '{}';`);
  }

  override down(): void {
    this.addSql('alter table task_reminders drop column recipients;');
  }
}
