import type { EntityManager } from '@mikro-orm/postgresql';
import type { RetentionStore } from '../../application/ports.ts';

/**
 * The retention deletes in PostgreSQL. Each is one statement, `delete … where key in (select …
 * limit n)`, bounded so that no run holds many row locks or writes a huge WAL burst at once; a
 * bounded delete needs that subquery, which the ORM's `nativeDelete` cannot express, hence SQL.
 * Each filter is served by a partial index of the migration `retention_indexes`.
 */
export class MikroOrmRetentionStore implements RetentionStore {
  private readonly em: EntityManager;

  constructor(em: EntityManager) {
    this.em = em;
  }

  deleteProcessedOutboxEvents(before: Date, limit: number): Promise<number> {
    return this.count(
      `delete from outbox_events where id in (
         select id from outbox_events where processed_at < ? limit ?)`,
      [before, limit],
    );
  }

  deleteRotatedRefreshTokens(before: Date, limit: number): Promise<number> {
    // A session's current token is never rotated (`rotated_at` null): it is never touched here.
    return this.count(
      `delete from refresh_tokens where token_hash in (
         select token_hash from refresh_tokens where rotated_at < ? limit ?)`,
      [before, limit],
    );
  }

  deleteEndedSessions(before: Date, limit: number): Promise<number> {
    // Expired or revoked before the cutoff, so long dead; their refresh tokens go by cascade.
    return this.count(
      `delete from sessions where id in (
         select id from sessions where expires_at < ? or revoked_at < ? limit ?)`,
      [before, before, limit],
    );
  }

  deleteSpentOneTimeTokens(before: Date, limit: number): Promise<number> {
    return this.count(
      `delete from one_time_tokens where id in (
         select id from one_time_tokens where expires_at < ? or used_at < ? limit ?)`,
      [before, before, limit],
    );
  }

  deleteReadNotifications(before: Date, limit: number): Promise<number> {
    return this.count(
      `delete from notifications where id in (
         select id from notifications where read_at < ? limit ?)`,
      [before, limit],
    );
  }

  async attachmentsOfTasksDeletedBefore(
    before: Date,
    limit: number,
  ): Promise<Array<{ id: string; storageKey: string }>> {
    const rows = await this.em.execute<Array<{ id: string; storage_key: string }>>(
      `select a.id, a.storage_key from tasks t join attachments a on a.task_id = t.id
        where t.deleted_at < ? limit ?`,
      [before, limit],
    );
    return rows.map((row) => ({ id: row.id, storageKey: row.storage_key }));
  }

  deleteAttachments(ids: readonly string[]): Promise<number> {
    // One array parameter (`?` binding would spread a JS array); the ids come from the query above.
    return this.count('delete from attachments where id = any (?::uuid[])', [`{${ids.join(',')}}`]);
  }

  async deleteTasksDeletedBefore(before: Date, limit: number): Promise<number> {
    // Comments and category links go by cascade; the reminder state has no foreign key.
    const rows = await this.em.execute<Array<{ n: number }>>(
      `with gone as (
         delete from tasks where id in (
           select t.id from tasks t
            where t.deleted_at < ?
              and not exists (select 1 from attachments a where a.task_id = t.id)
            limit ?)
         returning id),
       reminders as (delete from task_reminders where task_id in (select id from gone))
       select count(*)::int as n from gone`,
      [before, limit],
    );
    return rows[0]?.n ?? 0;
  }

  /** Runs a `delete` and counts the rows it removed. */
  private async count(sql: string, params: unknown[]): Promise<number> {
    const rows = await this.em.execute<Array<{ n: number }>>(
      `with deleted as (${sql} returning 1) select count(*)::int as n from deleted`,
      params,
    );
    return rows[0]?.n ?? 0;
  }
}
