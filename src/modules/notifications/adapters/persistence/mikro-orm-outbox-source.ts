import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type InferResult } from 'kysely';
import {
  rowsOf,
  StatementCache,
  type OnTheWireRow,
} from '../../../../shared/infra/typed-statements.ts';
import { WORK_EVENT_TYPES } from '../../../tasks/index.ts';
import type { OutboxEvent, OutboxSource } from '../../application/ports.ts';
import { notificationsDb, notificationsWireDb } from './notifications-db.ts';
import { checkOutboxEvent } from './outbox-event-check.ts';

/** Event types of a newer release stay in the outbox for a relay that knows them. */
const KNOWN_TYPES = `{${WORK_EVENT_TYPES.join(',')}}`;

interface ClaimValues {
  maxAttempts: number;
  knownTypes: string;
  /** Only these ids, as a uuid[] literal; unused by the shape without it. */
  only: string;
  limit: number;
}

/** The claim, typed from the entities; compiled once per shape (with or without `only`). */
function claimQuery(em: EntityManager, v: ClaimValues, onlyIds: boolean) {
  return (
    pendingEvents(em, v.maxAttempts, v.knownTypes)
      .select((eb) => [
        'id',
        'type',
        'task_id',
        'project_id',
        'actor_id',
        // As JSON, as the statement this replaced read it: parsed faster than a uuid[] literal.
        eb.fn<string[]>('array_to_json', ['recipients']).as('recipients'),
        'payload',
        'occurred_at',
        'trace_context',
      ])
      // The ids and types below are one array literal each, cast in SQL (Kysely has no typed array
      // parameter): the statement keeps one text, so one prepared plan, whatever their number.
      .$if(onlyIds, (qb) =>
        qb.where((eb) => eb('id', '=', eb.fn.any(sql<string[]>`${v.only}::uuid[]`))),
      )
      .limit(v.limit)
      .forUpdate()
      .skipLocked()
  );
}

const claimStatements = new StatementCache<ClaimValues>();

type ClaimRow = OnTheWireRow<InferResult<ReturnType<typeof claimQuery>>[number]>;

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
    projectId: row.project_id,
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
function pendingEvents(em: EntityManager, maxAttempts: number, knownTypes = KNOWN_TYPES) {
  return notificationsWireDb(em)
    .selectFrom('outbox_events')
    .where('processed_at', 'is', null)
    .where('attempts', '<', maxAttempts)
    .where((eb) => eb('type', '=', eb.fn.any(sql<string[]>`${knownTypes}::text[]`)))
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

  constructor(em: EntityManager, options: MikroOrmOutboxSourceOptions = {}) {
    this.em = em;
    this.maxAttempts = options.maxAttempts ?? 10;
  }

  async claim(
    limit: number,
    options: { onlyIds?: readonly string[] } = {},
  ): Promise<OutboxEvent[]> {
    const onlyIds = options.onlyIds !== undefined;
    const values: ClaimValues = {
      maxAttempts: this.maxAttempts,
      knownTypes: KNOWN_TYPES,
      only: onlyIds ? `{${options.onlyIds!.join(',')}}` : '{}',
      limit,
    };
    const claim = claimStatements.bind(onlyIds ? 'claim-only' : 'claim', values, (v) =>
      claimQuery(this.em, v, onlyIds),
    );
    // The relay claims in a loop, inside its transaction: on that transaction's connection.
    const rows = await rowsOf(this.em, claim);
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
}
