import type { EntityManager } from '@mikro-orm/postgresql';
import type { InboxQuery, NotificationRepository } from '../../application/ports.ts';
import type { Notification, NotificationDraft } from '../../domain/notification.ts';
import { NOTIFICATION_COLUMNS, toNotification, type NotificationRow } from './notification-rows.ts';

/**
 * Draws `count` sequence numbers for each user, in user-id order (a stable lock order, so two
 * relays never deadlock on each other's counters). The counter row stays locked until commit, which
 * is what keeps each user's `seq` in commit order. Users that no longer exist get none.
 */
const DRAW_SEQUENCES = `
  insert into notification_sequences (user_id, last_seq)
  select u.id, r.count
    from jsonb_to_recordset(?::jsonb) as r(user_id uuid, count bigint)
    join users u on u.id = r.user_id
   order by r.user_id
  on conflict (user_id) do update
    set last_seq = notification_sequences.last_seq + excluded.last_seq
  returning user_id, last_seq`;

const INSERT_NEW = `
  insert into notifications
    (id, user_id, seq, type, task_id, actor_id, data, source_event_id, reminder_at, created_at)
  select r.id, r.user_id, r.seq, r.type, r.task_id, r.actor_id, r.data, r.source_event_id,
         r.reminder_at, r.created_at
    from jsonb_to_recordset(?::jsonb) as r(
      id uuid, user_id uuid, seq bigint, type text, task_id uuid, actor_id uuid, data jsonb,
      source_event_id uuid, reminder_at timestamptz, created_at timestamptz)
   order by r.user_id, r.seq
  on conflict do nothing
  returning ${NOTIFICATION_COLUMNS}`;

/** The inbox in PostgreSQL; pages are ranges of the (user_id, seq) index. */
export class MikroOrmNotificationRepository implements NotificationRepository {
  private readonly em: EntityManager;

  constructor(em: EntityManager) {
    this.em = em;
  }

  async insertNew(drafts: readonly NotificationDraft[]): Promise<Notification[]> {
    if (drafts.length === 0) return [];
    const byUser = new Map<string, NotificationDraft[]>();
    for (const draft of drafts)
      byUser.set(draft.userId, [...(byUser.get(draft.userId) ?? []), draft]);
    const counts = [...byUser].map(([userId, mine]) => ({ user_id: userId, count: mine.length }));
    const drawn = await this.em.execute<Array<{ user_id: string; last_seq: string | number }>>(
      DRAW_SEQUENCES,
      [JSON.stringify(counts)],
    );
    const rows = drawn.flatMap(({ user_id, last_seq }) => {
      const mine = byUser.get(user_id) ?? [];
      const first = Number(last_seq) - mine.length + 1;
      return mine.map((draft, index) => ({
        id: draft.id,
        user_id: draft.userId,
        seq: first + index,
        type: draft.type,
        task_id: draft.taskId,
        actor_id: draft.actorId,
        data: draft.data,
        source_event_id: draft.source.type === 'event' ? draft.source.eventId : null,
        reminder_at:
          draft.source.type === 'reminder' ? draft.source.reminderAt.toISOString() : null,
        created_at: draft.createdAt.toISOString(),
      }));
    });
    if (rows.length === 0) return [];
    const inserted = await this.em.execute<NotificationRow[]>(INSERT_NEW, [JSON.stringify(rows)]);
    return inserted.map(toNotification).sort((a, b) => a.seq - b.seq);
  }

  async list(query: InboxQuery): Promise<{ items: Notification[]; hasMore: boolean }> {
    const params: unknown[] = [query.userId];
    let where = 'user_id = ?';
    if (query.unreadOnly) where += ' and read_at is null';
    if (query.beforeSeq !== undefined) {
      where += ' and seq < ?';
      params.push(query.beforeSeq);
    }
    params.push(query.limit + 1);
    const rows = await this.em.execute<NotificationRow[]>(
      `select ${NOTIFICATION_COLUMNS} from notifications where ${where} order by seq desc limit ?`,
      params,
    );
    return {
      items: rows.slice(0, query.limit).map(toNotification),
      hasMore: rows.length > query.limit,
    };
  }

  async markRead(userId: string, notificationId: string, at: Date): Promise<boolean> {
    const rows = await this.em.execute<Array<{ id: string }>>(
      `update notifications set read_at = coalesce(read_at, ?)
        where id = ? and user_id = ? returning id`,
      [at, notificationId, userId],
    );
    return rows.length > 0;
  }

  async markAllRead(userId: string, at: Date): Promise<void> {
    await this.em.execute(
      'update notifications set read_at = ? where user_id = ? and read_at is null',
      [at, userId],
    );
  }

  async seqOf(userId: string, notificationId: string): Promise<number | undefined> {
    const rows = await this.em.execute<Array<{ seq: string | number }>>(
      'select seq from notifications where id = ? and user_id = ?',
      [notificationId, userId],
    );
    return rows[0] === undefined ? undefined : Number(rows[0].seq);
  }

  async latestSeq(userId: string): Promise<number> {
    const rows = await this.em.execute<Array<{ seq: string | number | null }>>(
      'select max(seq) as seq from notifications where user_id = ?',
      [userId],
    );
    return Number(rows[0]?.seq ?? 0);
  }

  async listAfter(userId: string, afterSeq: number, limit: number): Promise<Notification[]> {
    const rows = await this.em.execute<NotificationRow[]>(
      `select ${NOTIFICATION_COLUMNS} from notifications
        where user_id = ? and seq > ? order by seq limit ?`,
      [userId, afterSeq, limit],
    );
    return rows.map(toNotification);
  }
}
