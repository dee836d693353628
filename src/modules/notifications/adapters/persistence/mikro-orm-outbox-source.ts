import type { EntityManager } from '@mikro-orm/postgresql';
import { TASK_EVENT_TYPES } from '../../../tasks/index.ts';
import type { OutboxEvent, OutboxSource } from '../../application/ports.ts';
import { notificationsDb } from './notifications-db.ts';

/** Event types of a newer release stay in the outbox for a relay that knows them. */
const KNOWN_TYPES: string[] = [...TASK_EVENT_TYPES];

export interface MikroOrmOutboxSourceOptions {
  /** Events that failed this often are no longer claimed; they wait for an operator. */
  maxAttempts?: number;
}

/** The tasks module's `outbox_events`, oldest first through its partial index of pending rows. */
export class MikroOrmOutboxSource implements OutboxSource {
  private readonly em: EntityManager;
  private readonly maxAttempts: number;

  constructor(em: EntityManager, options: MikroOrmOutboxSourceOptions = {}) {
    this.em = em;
    this.maxAttempts = options.maxAttempts ?? 10;
  }

  async claim(
    limit: number,
    options: { onlyIds?: readonly string[] } = {},
  ): Promise<OutboxEvent[]> {
    const rows = await this.pending()
      .select([
        'id',
        'type',
        'task_id',
        'actor_id',
        'recipients',
        'payload',
        'occurred_at',
        'trace_context',
      ])
      .$if(options.onlyIds !== undefined, (qb) =>
        qb.where((eb) => eb('id', '=', eb.fn.any(eb.val([...options.onlyIds!])))),
      )
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    return rows.map(
      (row) =>
        ({
          id: row.id,
          type: row.type,
          taskId: row.task_id,
          actorId: row.actor_id,
          recipients: row.recipients,
          payload: row.payload,
          occurredAt: row.occurred_at,
          ...(row.trace_context ? { traceContext: row.trace_context } : {}),
        }) as OutboxEvent,
    );
  }

  async peek(limit: number): Promise<string[]> {
    const rows = await this.pending().select('id').limit(limit).execute();
    return rows.map((row) => row.id);
  }

  async markProcessed(ids: readonly string[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    await notificationsDb(this.em)
      .updateTable('outbox_events')
      .set({ processed_at: at })
      .where((eb) => eb('id', '=', eb.fn.any(eb.val([...ids]))))
      .execute();
  }

  async recordFailure(id: string): Promise<void> {
    await notificationsDb(this.em)
      .updateTable('outbox_events')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .execute();
  }

  /** Unprocessed events of known types not yet given up on, oldest first. */
  private pending() {
    return notificationsDb(this.em)
      .selectFrom('outbox_events')
      .where('processed_at', 'is', null)
      .where('attempts', '<', this.maxAttempts)
      .where((eb) => eb('type', '=', eb.fn.any(eb.val(KNOWN_TYPES))))
      .orderBy('occurred_at')
      .orderBy('id');
  }
}
