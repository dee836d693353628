import type { EntityManager } from '@mikro-orm/postgresql';
import type { Selectable } from 'kysely';
import type { AttemptRecord, DeliveryPage, DeliveryRepository } from '../../application/ports.ts';
import type { Delivery, DeliveryStatus } from '../../domain/delivery.ts';
import type { DeliveryType } from '../../domain/webhook.ts';
import type { WebhooksTables } from './webhooks.entities.ts';
import { webhooksDb } from './webhooks-db.ts';

type DeliveryRow = Selectable<WebhooksTables['webhook_deliveries']>;

/** Webhook deliveries in PostgreSQL; pages are ranges of the (webhook_id[, status], id) indexes. */
export class MikroOrmDeliveryRepository implements DeliveryRepository {
  private readonly em: EntityManager;

  constructor(em: EntityManager) {
    this.em = em;
  }

  async insertNew(deliveries: readonly Delivery[]): Promise<Delivery[]> {
    if (deliveries.length === 0) return [];
    const rows = await webhooksDb(this.em)
      .insertInto('webhook_deliveries')
      .values(deliveries.map(toRow))
      .onConflict((conflict) => conflict.columns(['webhook_id', 'event_id']).doNothing())
      .returningAll()
      .execute();
    return rows.map(toDelivery);
  }

  async find(deliveryId: string): Promise<Delivery | undefined> {
    const row = await webhooksDb(this.em)
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('id', '=', deliveryId)
      .executeTakeFirst();
    return row && toDelivery(row);
  }

  async list(page: DeliveryPage): Promise<{ items: Delivery[]; hasMore: boolean }> {
    const rows = await webhooksDb(this.em)
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('webhook_id', '=', page.webhookId)
      .$if(page.status !== undefined, (qb) => qb.where('status', '=', page.status!))
      .$if(page.beforeId !== undefined, (qb) => qb.where('id', '<', page.beforeId!))
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    return {
      items: rows.slice(0, page.limit).map(toDelivery),
      hasMore: rows.length > page.limit,
    };
  }

  async recordAttempt(
    deliveryId: string,
    attempt: number,
    record: AttemptRecord,
  ): Promise<boolean> {
    const rows = await webhooksDb(this.em)
      .updateTable('webhook_deliveries')
      .set({
        attempts: attempt,
        status: record.status,
        last_status_code: record.lastStatusCode,
        last_error: record.lastError,
        last_attempt_at: record.lastAttemptAt,
        next_attempt_at: record.nextAttemptAt,
        duration_ms: record.durationMs,
      })
      .where('id', '=', deliveryId)
      .where('status', '=', 'pending')
      .where('attempts', '=', attempt - 1)
      .returning('id')
      .execute();
    return rows.length > 0;
  }

  async fail(deliveryId: string, error: string, at: Date): Promise<boolean> {
    const rows = await webhooksDb(this.em)
      .updateTable('webhook_deliveries')
      .set({ status: 'failed', last_error: error, next_attempt_at: null, last_attempt_at: at })
      .where('id', '=', deliveryId)
      .where('status', '=', 'pending')
      .returning('id')
      .execute();
    return rows.length > 0;
  }

  async redeliver(webhookId: string, deliveryId: string, at: Date): Promise<Delivery | undefined> {
    const row = await webhooksDb(this.em)
      .updateTable('webhook_deliveries')
      .set((eb) => ({
        status: 'pending',
        attempt_offset: eb.ref('attempts'),
        next_attempt_at: at,
      }))
      .where('id', '=', deliveryId)
      .where('webhook_id', '=', webhookId)
      .returningAll()
      .executeTakeFirst();
    return row && toDelivery(row);
  }

  async pending(limit: number, afterId?: string): Promise<Delivery[]> {
    const rows = await webhooksDb(this.em)
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('status', '=', 'pending')
      .$if(afterId !== undefined, (qb) => qb.where('id', '>', afterId!))
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toDelivery);
  }
}

function toRow(delivery: Delivery) {
  return {
    id: delivery.id,
    webhook_id: delivery.webhookId,
    event_id: delivery.eventId,
    type: delivery.type,
    payload: delivery.payload,
    status: delivery.status,
    attempts: delivery.attempts,
    attempt_offset: delivery.attemptOffset,
    last_status_code: delivery.lastStatusCode,
    last_error: delivery.lastError,
    last_attempt_at: delivery.lastAttemptAt,
    next_attempt_at: delivery.nextAttemptAt,
    duration_ms: delivery.durationMs,
    created_at: delivery.createdAt,
  };
}

function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    // The table's CHECKs admit only these.
    type: row.type as DeliveryType,
    payload: row.payload,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    attemptOffset: row.attempt_offset,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    lastAttemptAt: row.last_attempt_at,
    nextAttemptAt: row.next_attempt_at,
    durationMs: row.duration_ms,
    createdAt: row.created_at,
  };
}
