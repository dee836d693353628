import type { EntityManager } from '@mikro-orm/postgresql';
import { TASK_EVENT_TYPES } from '../../../tasks/index.ts';
import type { OutboxEvent, OutboxSource } from '../../application/ports.ts';

interface OutboxRow {
  id: string;
  type: string;
  task_id: string;
  actor_id: string;
  recipients: string[];
  payload: Record<string, unknown>;
  occurred_at: Date | string;
  trace_context: Record<string, string> | null;
}

/** Event types of a newer release stay in the outbox for a relay that knows them. */
const KNOWN_TYPES = `{${TASK_EVENT_TYPES.join(',')}}`;

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
    const params: unknown[] = [this.maxAttempts, KNOWN_TYPES];
    let only = '';
    if (options.onlyIds) {
      only = 'and id = any(?::uuid[])';
      params.push(`{${options.onlyIds.join(',')}}`);
    }
    params.push(limit);
    const rows = await this.em.execute<OutboxRow[]>(
      `select id, type, task_id, actor_id, array_to_json(recipients) as recipients, payload,
              occurred_at, trace_context
         from outbox_events
        where processed_at is null and attempts < ? and type = any(?::text[]) ${only}
        order by occurred_at, id
        limit ?
        for update skip locked`,
      params,
    );
    return rows.map(
      (row) =>
        ({
          id: row.id,
          type: row.type,
          taskId: row.task_id,
          actorId: row.actor_id,
          recipients: row.recipients,
          payload: row.payload,
          occurredAt: row.occurred_at instanceof Date ? row.occurred_at : new Date(row.occurred_at),
          ...(row.trace_context ? { traceContext: row.trace_context } : {}),
        }) as OutboxEvent,
    );
  }

  async peek(limit: number): Promise<string[]> {
    const rows = await this.em.execute<Array<{ id: string }>>(
      `select id from outbox_events
        where processed_at is null and attempts < ? and type = any(?::text[])
        order by occurred_at, id
        limit ?`,
      [this.maxAttempts, KNOWN_TYPES, limit],
    );
    return rows.map((row) => row.id);
  }

  async markProcessed(ids: readonly string[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.em.execute('update outbox_events set processed_at = ? where id = any(?::uuid[])', [
      at,
      `{${ids.join(',')}}`,
    ]);
  }

  async recordFailure(id: string): Promise<void> {
    await this.em.execute('update outbox_events set attempts = attempts + 1 where id = ?', [id]);
  }
}
