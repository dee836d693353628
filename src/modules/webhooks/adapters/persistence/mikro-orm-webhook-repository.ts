import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type Selectable } from 'kysely';
import type { WebhookRepository } from '../../application/ports.ts';
import type { Webhook, WebhookEventType, WebhookSubscription } from '../../domain/webhook.ts';
import { ALL_EVENTS } from '../../domain/webhook.ts';
import type { WebhooksTables } from './webhooks.entities.ts';
import { webhooksDb } from './webhooks-db.ts';

type WebhookRow = Selectable<WebhooksTables['webhooks']>;

/** Webhooks in PostgreSQL. */
export class MikroOrmWebhookRepository implements WebhookRepository {
  private readonly em: EntityManager;

  constructor(em: EntityManager) {
    this.em = em;
  }

  async insertWithin(webhook: Webhook, max: number): Promise<boolean> {
    const db = webhooksDb(this.em);
    // Raw SQL: an advisory lock has no Kysely form. Per user, held to the end of the transaction,
    // so two creations cannot both count below the limit (there may be no row to lock yet).
    await sql`select pg_advisory_xact_lock(hashtextextended(${`webhooks:${webhook.userId}`}, 0))`.execute(
      db,
    );
    const count = await db
      .selectFrom('webhooks')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('user_id', '=', webhook.userId)
      .executeTakeFirstOrThrow();
    if (Number(count.n) >= max) return false;
    await db.insertInto('webhooks').values(toRow(webhook)).execute();
    return true;
  }

  async listOf(userId: string): Promise<Webhook[]> {
    const rows = await webhooksDb(this.em)
      .selectFrom('webhooks')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('id')
      .execute();
    return rows.map(toWebhook);
  }

  async findOf(
    userId: string,
    webhookId: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<Webhook | undefined> {
    const row = await webhooksDb(this.em)
      .selectFrom('webhooks')
      .selectAll()
      .where('id', '=', webhookId)
      .where('user_id', '=', userId)
      .$if(options.forUpdate === true, (qb) => qb.forUpdate())
      .executeTakeFirst();
    return row && toWebhook(row);
  }

  async findById(webhookId: string): Promise<Webhook | undefined> {
    const row = await webhooksDb(this.em)
      .selectFrom('webhooks')
      .selectAll()
      .where('id', '=', webhookId)
      .executeTakeFirst();
    return row && toWebhook(row);
  }

  async save(webhook: Webhook): Promise<void> {
    const row = toRow(webhook);
    await webhooksDb(this.em)
      .updateTable('webhooks')
      .set({
        url: row.url,
        events: row.events,
        active: row.active,
        disabled_reason: row.disabled_reason,
        secret: row.secret,
        previous_secret: row.previous_secret,
        previous_secret_expires_at: row.previous_secret_expires_at,
        consecutive_failures: row.consecutive_failures,
        updated_at: row.updated_at,
      })
      .where('id', '=', row.id)
      .where('user_id', '=', row.user_id)
      .execute();
  }

  async delete(userId: string, webhookId: string): Promise<boolean> {
    const rows = await webhooksDb(this.em)
      .deleteFrom('webhooks')
      .where('id', '=', webhookId)
      .where('user_id', '=', userId)
      .returning('id')
      .execute();
    return rows.length > 0;
  }

  async subscribedTo(userIds: readonly string[], type: WebhookEventType): Promise<Webhook[]> {
    if (userIds.length === 0) return [];
    const rows = await webhooksDb(this.em)
      .selectFrom('webhooks')
      .selectAll()
      .where('user_id', 'in', [...userIds])
      .where('active', '=', true)
      // Raw SQL: Kysely types no array literal; `&&` is "has either".
      .where('events', '&&', sql<string[]>`array[${type}, ${ALL_EVENTS}]::text[]`)
      .orderBy('id')
      .execute();
    return rows.map(toWebhook);
  }

  async countFailedDelivery(webhookId: string): Promise<number> {
    const row = await webhooksDb(this.em)
      .updateTable('webhooks')
      .set((eb) => ({ consecutive_failures: eb('consecutive_failures', '+', 1) }))
      .where('id', '=', webhookId)
      .returning('consecutive_failures')
      .executeTakeFirst();
    return row?.consecutive_failures ?? 0;
  }

  async resetFailures(webhookId: string): Promise<void> {
    await webhooksDb(this.em)
      .updateTable('webhooks')
      .set({ consecutive_failures: 0 })
      .where('id', '=', webhookId)
      .where('consecutive_failures', '>', 0)
      .execute();
  }

  async disable(webhookId: string, reason: string, at: Date): Promise<boolean> {
    const rows = await webhooksDb(this.em)
      .updateTable('webhooks')
      .set({ active: false, disabled_reason: reason, updated_at: at })
      .where('id', '=', webhookId)
      .where('active', '=', true)
      .returning('id')
      .execute();
    return rows.length > 0;
  }
}

function toRow(webhook: Webhook) {
  return {
    id: webhook.id,
    user_id: webhook.userId,
    url: webhook.url,
    events: [...webhook.events],
    project_id: webhook.projectId,
    active: webhook.active,
    disabled_reason: webhook.disabledReason,
    secret: webhook.secret,
    previous_secret: webhook.previousSecret,
    previous_secret_expires_at: webhook.previousSecretExpiresAt,
    consecutive_failures: webhook.consecutiveFailures,
    created_at: webhook.createdAt,
    updated_at: webhook.updatedAt,
  };
}

function toWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id,
    userId: row.user_id,
    url: row.url,
    // Written only through the API's checked list.
    events: row.events as WebhookSubscription[],
    projectId: row.project_id,
    active: row.active,
    disabledReason: row.disabled_reason,
    secret: row.secret,
    previousSecret: row.previous_secret,
    previousSecretExpiresAt: row.previous_secret_expires_at,
    consecutiveFailures: row.consecutive_failures,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
