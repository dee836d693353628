import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import type { InboxQuery, NotificationRepository } from '../../application/ports.ts';
import type { Notification, NotificationDraft } from '../../domain/notification.ts';
import { rowsOf, StatementCache } from '../../../../shared/infra/typed-statements.ts';
import { NOTIFICATION_COLUMNS, toNotification } from './notification-rows.ts';
import { notificationsDb, notificationsWireDb } from './notifications-db.ts';

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
    const drawn = await this.drawSequences(
      [...byUser].map(([userId, mine]) => ({ user_id: userId, count: mine.length })),
    );
    const rows = drawn
      .flatMap(({ user_id, last_seq }) => {
        const mine = byUser.get(user_id) ?? [];
        const first = Number(last_seq) - mine.length + 1;
        return mine.map((draft, index) => ({
          id: draft.id,
          user_id: draft.userId,
          seq: String(first + index),
          type: draft.type,
          task_id: draft.taskId,
          actor_id: draft.actorId,
          data: draft.data,
          source_event_id: draft.source.type === 'event' ? draft.source.eventId : null,
          reminder_at: draft.source.type === 'reminder' ? draft.source.reminderAt : null,
          created_at: draft.createdAt,
        }));
      })
      // Inserted in (user_id, seq) order, as the sequences were drawn: a stable lock order.
      .sort((a, b) => compare(a.user_id, b.user_id) || Number(a.seq) - Number(b.seq));
    if (rows.length === 0) return [];
    const inserted = await notificationsWireDb(this.em)
      .insertInto('notifications')
      .values(rows)
      .onConflict((conflict) => conflict.doNothing())
      .returning(NOTIFICATION_COLUMNS)
      .execute();
    return inserted.map(toNotification).sort((a, b) => a.seq - b.seq);
  }

  /**
   * Draws `count` sequence numbers for each user, in user-id order (a stable lock order, so two
   * relays never deadlock on each other's counters). The counter row stays locked until commit,
   * which is what keeps each user's `seq` in commit order. Users that no longer exist get none.
   */
  private drawSequences(counts: Array<{ user_id: string; count: number }>) {
    const db = notificationsDb(this.em);
    // Raw SQL: Kysely has no typed form for a table function with a column definition list.
    const wanted = sql<{ user_id: string; count: string }>`jsonb_to_recordset(${JSON.stringify(
      counts,
    )}::jsonb)`.as<'r'>(sql`r(user_id uuid, count bigint)`);
    return db
      .insertInto('notification_sequences')
      .columns(['user_id', 'last_seq'])
      .expression(
        db
          .selectFrom(wanted)
          .innerJoin('users as u', 'u.id', 'r.user_id')
          .select(['u.id', 'r.count'])
          .orderBy('r.user_id'),
      )
      .onConflict((conflict) =>
        conflict.column('user_id').doUpdateSet((eb) => ({
          last_seq: eb('notification_sequences.last_seq', '+', eb.ref('excluded.last_seq')),
        })),
      )
      .returning(['user_id', 'last_seq'])
      .execute();
  }

  async list(query: InboxQuery): Promise<{ items: Notification[]; hasMore: boolean }> {
    // Every inbox request reads a page: compiled once per shape (unread only or not, first page or
    // not) and, outside a transaction, a named statement, so each pool connection plans it once.
    const shape = `${query.unreadOnly ? 'unread' : 'all'}-${query.beforeSeq === undefined ? 'first' : 'before'}`;
    const values = {
      userId: query.userId,
      beforeSeq: String(query.beforeSeq),
      limit: query.limit + 1,
    };
    const page = inboxStatements.bind(shape, values, (v) =>
      notificationsWireDb(this.em)
        .selectFrom('notifications')
        .select(NOTIFICATION_COLUMNS)
        .where('user_id', '=', v.userId)
        .$if(query.unreadOnly, (qb) => qb.where('read_at', 'is', null))
        .$if(query.beforeSeq !== undefined, (qb) => qb.where('seq', '<', v.beforeSeq))
        .orderBy('seq', 'desc')
        .limit(v.limit),
    );
    const rows = await rowsOf(this.em, page);
    return {
      items: rows.slice(0, query.limit).map(toNotification),
      hasMore: rows.length > query.limit,
    };
  }

  async markRead(userId: string, notificationId: string, at: Date): Promise<boolean> {
    const rows = await notificationsDb(this.em)
      .updateTable('notifications')
      .set((eb) => ({ read_at: eb.fn.coalesce('read_at', eb.val(at)) }))
      .where('id', '=', notificationId)
      .where('user_id', '=', userId)
      .returning('id')
      .execute();
    return rows.length > 0;
  }

  async markAllRead(userId: string, at: Date): Promise<void> {
    await notificationsDb(this.em)
      .updateTable('notifications')
      .set({ read_at: at })
      .where('user_id', '=', userId)
      .where('read_at', 'is', null)
      .execute();
  }

  async seqOf(userId: string, notificationId: string): Promise<number | undefined> {
    const row = await notificationsDb(this.em)
      .selectFrom('notifications')
      .select('seq')
      .where('id', '=', notificationId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row === undefined ? undefined : Number(row.seq);
  }

  async latestSeq(userId: string): Promise<number> {
    const row = await notificationsDb(this.em)
      .selectFrom('notifications')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(row?.seq ?? 0);
  }

  async listAfter(userId: string, afterSeq: number, limit: number): Promise<Notification[]> {
    const rows = await notificationsWireDb(this.em)
      .selectFrom('notifications')
      .select(NOTIFICATION_COLUMNS)
      .where('user_id', '=', userId)
      .where('seq', '>', String(afterSeq))
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map(toNotification);
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const inboxStatements = new StatementCache<{ userId: string; beforeSeq: string; limit: number }>();
