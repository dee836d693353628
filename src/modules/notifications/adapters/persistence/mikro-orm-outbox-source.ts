import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type InferResult } from 'kysely';
import { TASK_EVENT_TYPES } from '../../../tasks/index.ts';
import type { OutboxEvent, OutboxSource } from '../../application/ports.ts';
import { notificationsDb, notificationsWireDb } from './notifications-db.ts';
import { checkOutboxEvent } from './outbox-event-check.ts';

/** Event types of a newer release stay in the outbox for a relay that knows them. */
const KNOWN_TYPES = `{${TASK_EVENT_TYPES.join(',')}}`;

/** The claim, typed from the entities; built once per shape (with or without `onlyIds`). */
function claimQuery(
  em: EntityManager,
  maxAttempts: number,
  onlyIds: string | undefined,
  limit: number,
) {
  return pendingEvents(em, maxAttempts)
    .select((eb) => [
      'id',
      'type',
      'task_id',
      'actor_id',
      // As JSON, as the statement this replaced read it: parsed faster than a uuid[] literal.
      eb.fn<string[]>('array_to_json', ['recipients']).as('recipients'),
      'payload',
      'occurred_at',
      'trace_context',
    ])
    .$if(onlyIds !== undefined, (qb) =>
      qb.where((eb) => eb('id', '=', eb.fn.any(sql<string[]>`${onlyIds}::uuid[]`))),
    )
    .limit(limit)
    .forUpdate()
    .skipLocked();
}

type ClaimRow = InferResult<ReturnType<typeof claimQuery>>[number];

/**
 * A claimed row as its event. The claim takes known types only and the tasks module wrote each
 * payload for its type, so a row that is neither is a fault: thrown, the relay retries that event
 * alone and counts its failures until it is left for an operator.
 */
function toOutboxEvent(row: ClaimRow): OutboxEvent {
  const checked = checkOutboxEvent({
    id: row.id,
    type: row.type,
    taskId: row.task_id,
    actorId: row.actor_id,
    recipients: row.recipients,
    payload: row.payload,
    occurredAt: new Date(row.occurred_at),
    ...(row.trace_context ? { traceContext: row.trace_context } : {}),
  });
  if (checked.isErr()) throw new Error(checked.error);
  return checked.value;
}

/** Unprocessed events of known types not yet given up on, oldest first. */
function pendingEvents(em: EntityManager, maxAttempts: number) {
  return notificationsWireDb(em)
    .selectFrom('outbox_events')
    .where('processed_at', 'is', null)
    .where('attempts', '<', maxAttempts)
    .where((eb) => eb('type', '=', eb.fn.any(sql<string[]>`${KNOWN_TYPES}::text[]`)))
    .orderBy('occurred_at')
    .orderBy('id');
}

export interface MikroOrmOutboxSourceOptions {
  /** Events that failed this often are no longer claimed; they wait for an operator. */
  maxAttempts?: number;
}

/** The tasks module's `outbox_events`, oldest first through its partial index of pending rows. */
export class MikroOrmOutboxSource implements OutboxSource {
  private readonly em: EntityManager;
  private readonly maxAttempts: number;
  private claimText: string | undefined;
  private claimOnlyText: string | undefined;

  constructor(em: EntityManager, options: MikroOrmOutboxSourceOptions = {}) {
    this.em = em;
    this.maxAttempts = options.maxAttempts ?? 10;
  }

  async claim(
    limit: number,
    options: { onlyIds?: readonly string[] } = {},
  ): Promise<OutboxEvent[]> {
    const only = options.onlyIds && `{${options.onlyIds.join(',')}}`;
    const text =
      only === undefined
        ? (this.claimText ??= this.claimSql(false))
        : (this.claimOnlyText ??= this.claimSql(true));
    // Built once per shape; values inlined by `em.execute` as before (the relay claims in a loop).
    const params =
      only === undefined
        ? [this.maxAttempts, KNOWN_TYPES, limit]
        : [this.maxAttempts, KNOWN_TYPES, only, limit];
    const rows = await this.em.execute<ClaimRow[]>(text, params);
    return rows.map(toOutboxEvent);
  }

  async peek(limit: number): Promise<string[]> {
    const rows = await pendingEvents(this.em, this.maxAttempts).select('id').limit(limit).execute();
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

  /**
   * The claim's text with `?` placeholders, for `em.execute`, whose parameters are, in order: max
   * attempts, known types, [only these ids,] limit. Checked against Kysely's own parameter order.
   */
  private claimSql(onlyIds: boolean): string {
    const sample = {
      only: onlyIds ? '{00000000-0000-0000-0000-000000000000}' : undefined,
      limit: 1,
    };
    const query = claimQuery(this.em, this.maxAttempts, sample.only, sample.limit).compile();
    const expected = [
      this.maxAttempts,
      KNOWN_TYPES,
      ...(sample.only ? [sample.only] : []),
      sample.limit,
    ];
    if (JSON.stringify(query.parameters) !== JSON.stringify(expected)) {
      throw new Error(`outbox claim parameters out of order: ${JSON.stringify(query.parameters)}`);
    }
    return query.sql.replace(/\$\d+/g, '?');
  }
}
