import { Migration } from '@mikro-orm/migrations';

/**
 * The notification inbox, the per-user sequence that orders it, and the reminder state the outbox
 * relay keeps for the reminder jobs.
 *
 * `seq` numbers one user's notifications in commit order: the relay draws them from
 * `notification_sequences`, whose row stays locked until the drawing transaction commits, so a
 * higher `seq` is never visible before a lower one. Resuming a live feed "after" a notification is
 * then a plain range read that cannot skip a late commit. The inbox pages on (user_id, seq desc).
 *
 * Idempotency: one notification per (source outbox event, user), and one `task.due_soon` per
 * (task, reminder time, user); inserts use `on conflict do nothing`.
 */
export class Migration20261122040000_notifications extends Migration {
  override up(): void {
    this.addSql(`
      create table notifications (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        seq bigint not null check (seq >= 1),
        type text not null check (
          type in ('task.assigned', 'task.due_soon', 'task.status_changed', 'task.commented')
        ),
        task_id uuid null,
        actor_id uuid null,
        data jsonb not null,
        source_event_id uuid null,
        reminder_at timestamptz null,
        read_at timestamptz null,
        created_at timestamptz not null,
        check ((type = 'task.due_soon') = (reminder_at is not null))
      );`);
    this.addSql('create unique index notifications_user_seq on notifications (user_id, seq);');
    this.addSql(
      'create index notifications_user_unread on notifications (user_id, seq) where read_at is null;',
    );
    this.addSql(
      'create unique index notifications_source_event_user on notifications (source_event_id, user_id);',
    );
    this.addSql(
      `create unique index notifications_due_soon_once on notifications (task_id, reminder_at, user_id)
         where type = 'task.due_soon';`,
    );

    this.addSql(`
      create table notification_sequences (
        user_id uuid primary key references users (id) on delete cascade,
        last_seq bigint not null check (last_seq >= 0)
      );`);

    this.addSql(`
      create table task_reminders (
        task_id uuid primary key,
        reminder_at timestamptz null,
        changed_at timestamptz not null,
        fired_at timestamptz null
      );`);
    this.addSql(
      `create index task_reminders_pending on task_reminders (reminder_at)
         where reminder_at is not null and fired_at is null;`,
    );
  }

  override down(): void {
    for (const table of ['task_reminders', 'notification_sequences', 'notifications']) {
      this.addSql(`drop table if exists ${table};`);
    }
  }
}
