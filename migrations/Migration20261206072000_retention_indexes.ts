import { Migration } from '@mikro-orm/migrations';

/**
 * The retention job's filters: each finds what is past its retention from an index, oldest
 * first, instead of scanning a table that grows. Partial where only some rows ever qualify.
 */
export class Migration20261206072000_retention_indexes extends Migration {
  override up(): void {
    this.addSql(
      'create index outbox_events_processed on outbox_events (processed_at) where processed_at is not null;',
    );
    this.addSql(
      'create index refresh_tokens_rotated on refresh_tokens (rotated_at) where rotated_at is not null;',
    );
    this.addSql('create index sessions_expires on sessions (expires_at);');
    this.addSql(
      'create index sessions_revoked on sessions (revoked_at) where revoked_at is not null;',
    );
    this.addSql('create index one_time_tokens_expires on one_time_tokens (expires_at);');
    this.addSql(
      'create index one_time_tokens_used on one_time_tokens (used_at) where used_at is not null;',
    );
    this.addSql(
      'create index notifications_read on notifications (read_at) where read_at is not null;',
    );
    this.addSql('create index tasks_deleted on tasks (deleted_at) where deleted_at is not null;');
  }

  override down(): void {
    for (const index of [
      'tasks_deleted',
      'notifications_read',
      'one_time_tokens_used',
      'one_time_tokens_expires',
      'sessions_revoked',
      'sessions_expires',
      'refresh_tokens_rotated',
      'outbox_events_processed',
    ]) {
      this.addSql(`drop index if exists ${index};`);
    }
  }
}
