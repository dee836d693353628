import { Migration } from '@mikro-orm/migrations';

/**
 * Webhooks and their deliveries, and the `webhook.disabled` notification.
 *
 * A delivery row is written in the transaction that handles its event, one per (webhook, event):
 * a repeated event inserts nothing (`on conflict do nothing`). Pending rows are what the delivery
 * queue works through, and what the reconciler queues again when Redis lost their jobs. The
 * signing secrets are stored as they are, since HMAC signing needs the key itself.
 */
export class Migration20261206121000_webhooks extends Migration {
  override up(): void {
    this.addSql(`
      create table webhooks (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        url text not null,
        events text[] not null,
        active boolean not null,
        disabled_reason text null,
        secret text not null,
        previous_secret text null,
        previous_secret_expires_at timestamptz null,
        consecutive_failures integer not null default 0 check (consecutive_failures >= 0),
        created_at timestamptz not null,
        updated_at timestamptz not null
      );`);
    this.addSql('create index webhooks_user on webhooks (user_id, id);');

    this.addSql(`
      create table webhook_deliveries (
        id uuid primary key,
        webhook_id uuid not null references webhooks (id) on delete cascade,
        event_id uuid not null,
        type text not null check (
          type in ('task.assigned', 'task.status_changed', 'task.commented', 'task.due_soon',
                   'webhook.ping')
        ),
        payload jsonb not null,
        status text not null check (status in ('pending', 'succeeded', 'failed')),
        attempts integer not null default 0,
        attempt_offset integer not null default 0,
        last_status_code integer null,
        last_error text null,
        last_attempt_at timestamptz null,
        next_attempt_at timestamptz null,
        duration_ms integer null,
        created_at timestamptz not null,
        constraint webhook_deliveries_attempts_check
          check (attempt_offset >= 0 and attempts >= attempt_offset)
      );`);
    this.addSql(
      'create unique index webhook_deliveries_webhook_event on webhook_deliveries (webhook_id, event_id);',
    );
    this.addSql('create index webhook_deliveries_webhook on webhook_deliveries (webhook_id, id);');
    this.addSql(
      'create index webhook_deliveries_webhook_status on webhook_deliveries (webhook_id, status, id);',
    );
    this.addSql(
      `create index webhook_deliveries_pending on webhook_deliveries (id) where status = 'pending';`,
    );
    this.addSql(
      `create index webhook_deliveries_finished on webhook_deliveries (created_at)
         where status <> 'pending';`,
    );

    this.addSql('alter table notifications drop constraint notifications_type_check;');
    this.addSql(`
      alter table notifications add constraint notifications_type_check check (
        type in ('task.assigned', 'task.due_soon', 'task.status_changed', 'task.commented',
                 'project.invited', 'project.member_added', 'project.member_removed',
                 'webhook.disabled')
      );`);
  }

  override down(): void {
    this.addSql(`delete from notifications where type = 'webhook.disabled';`);
    this.addSql('alter table notifications drop constraint notifications_type_check;');
    this.addSql(`
      alter table notifications add constraint notifications_type_check check (
        type in ('task.assigned', 'task.due_soon', 'task.status_changed', 'task.commented',
                 'project.invited', 'project.member_added', 'project.member_removed')
      );`);
    this.addSql('drop table if exists webhook_deliveries;');
    this.addSql('drop table if exists webhooks;');
  }
}
