import type { EntityManager } from '@mikro-orm/postgresql';
import type { IdentityTables } from '../../../identity/index.ts';
import type { NotificationsTables } from '../../../notifications/index.ts';
import type { TasksTables } from '../../../tasks/index.ts';
import type { WebhooksTables } from '../../../webhooks/index.ts';
import type { RetentionStore } from '../../application/ports.ts';

/** The tables retention deletes from, typed from their modules' entities. */
type RetentionDb = IdentityTables &
  Pick<NotificationsTables, 'notifications' | 'task_reminders'> &
  Pick<TasksTables, 'outbox_events' | 'attachments' | 'tasks'> &
  Pick<WebhooksTables, 'webhook_deliveries'>;

/**
 * The retention deletes in PostgreSQL. Each is one statement, `delete … where key in (select …
 * limit n)`, bounded so that no run holds many row locks or writes a huge WAL burst at once.
 * Each filter is served by a partial index of the migration `retention_indexes`.
 */
export class MikroOrmRetentionStore implements RetentionStore {
  private readonly em: EntityManager;

  constructor(em: EntityManager) {
    this.em = em;
  }

  private db() {
    return this.em.getKysely<RetentionDb>({ convertValues: true });
  }

  async deleteProcessedOutboxEvents(before: Date, limit: number): Promise<number> {
    const db = this.db();
    const result = await db
      .deleteFrom('outbox_events')
      .where(
        'id',
        'in',
        db.selectFrom('outbox_events').select('id').where('processed_at', '<', before).limit(limit),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteRotatedRefreshTokens(before: Date, limit: number): Promise<number> {
    // A session's current token is never rotated (`rotated_at` null): it is never touched here.
    const db = this.db();
    const result = await db
      .deleteFrom('refresh_tokens')
      .where(
        'token_hash',
        'in',
        db
          .selectFrom('refresh_tokens')
          .select('token_hash')
          .where('rotated_at', '<', before)
          .limit(limit),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteEndedSessions(before: Date, limit: number): Promise<number> {
    // Expired or revoked before the cutoff, so long dead; their refresh tokens go by cascade.
    const db = this.db();
    const result = await db
      .deleteFrom('sessions')
      .where(
        'id',
        'in',
        db
          .selectFrom('sessions')
          .select('id')
          .where((eb) => eb.or([eb('expires_at', '<', before), eb('revoked_at', '<', before)]))
          .limit(limit),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteSpentOneTimeTokens(before: Date, limit: number): Promise<number> {
    const db = this.db();
    const result = await db
      .deleteFrom('one_time_tokens')
      .where(
        'id',
        'in',
        db
          .selectFrom('one_time_tokens')
          .select('id')
          .where((eb) => eb.or([eb('expires_at', '<', before), eb('used_at', '<', before)]))
          .limit(limit),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteReadNotifications(before: Date, limit: number): Promise<number> {
    const db = this.db();
    const result = await db
      .deleteFrom('notifications')
      .where(
        'id',
        'in',
        db.selectFrom('notifications').select('id').where('read_at', '<', before).limit(limit),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Served by the partial index `webhook_deliveries_finished` (migration `webhooks`). */
  async deleteFinishedWebhookDeliveries(before: Date, limit: number): Promise<number> {
    const db = this.db();
    const result = await db
      .deleteFrom('webhook_deliveries')
      .where(
        'id',
        'in',
        db
          .selectFrom('webhook_deliveries')
          .select('id')
          .where('status', '<>', 'pending')
          .where('created_at', '<', before)
          .limit(limit),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async attachmentsOfTasksDeletedBefore(
    before: Date,
    limit: number,
  ): Promise<Array<{ id: string; storageKey: string }>> {
    const rows = await this.db()
      .selectFrom('tasks as t')
      .innerJoin('attachments as a', 'a.task_id', 't.id')
      .select(['a.id', 'a.storage_key'])
      .where('t.deleted_at', '<', before)
      .limit(limit)
      .execute();
    return rows.map((row) => ({ id: row.id, storageKey: row.storage_key }));
  }

  async deleteAttachments(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.db()
      .deleteFrom('attachments')
      // One array parameter; the ids come from the query above.
      .where((eb) => eb('id', '=', eb.fn.any(eb.val([...ids]))))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteTasksDeletedBefore(before: Date, limit: number): Promise<number> {
    // Comments and category links go by cascade; the reminder state has no foreign key, so it
    // goes in the same statement.
    const db = this.db();
    const row = await db
      .with('gone', (qb) =>
        qb
          .deleteFrom('tasks')
          .where(
            'id',
            'in',
            db
              .selectFrom('tasks as t')
              .select('t.id')
              .where('t.deleted_at', '<', before)
              .where((eb) =>
                eb.not(
                  eb.exists(
                    eb
                      .selectFrom('attachments as a')
                      .select('a.id')
                      .whereRef('a.task_id', '=', 't.id'),
                  ),
                ),
              )
              .limit(limit),
          )
          .returning('id'),
      )
      .with('reminders', (qb) =>
        qb
          .deleteFrom('task_reminders')
          .where('task_id', 'in', qb.selectFrom('gone').select('gone.id')),
      )
      .selectFrom('gone')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}
