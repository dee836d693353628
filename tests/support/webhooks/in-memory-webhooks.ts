import type {
  AttemptRecord,
  DeliveryPage,
  DeliveryQueue,
  DeliveryRepository,
  OutgoingWebhook,
  SendOutcome,
  WebhookRepository,
  WebhooksPorts,
} from '../../../src/modules/webhooks/application/ports.ts';
import type { Delivery } from '../../../src/modules/webhooks/domain/delivery.ts';
import {
  ALL_EVENTS,
  type Webhook,
  type WebhookEventType,
} from '../../../src/modules/webhooks/domain/webhook.ts';
import { SequentialUuids } from '../tasks/sequential-uuids.ts';

/**
 * Webhooks and deliveries in memory. `run` snapshots them and restores the snapshot when the work
 * throws, as a rolled-back transaction would.
 */
export class InMemoryWebhooksDb {
  webhooks: Webhook[] = [];
  deliveries: Delivery[] = [];

  async run<T>(work: () => Promise<T>): Promise<T> {
    const snapshot = structuredClone({ webhooks: this.webhooks, deliveries: this.deliveries });
    try {
      return await work();
    } catch (error) {
      Object.assign(this, snapshot);
      throw error;
    }
  }
}

export class InMemoryWebhookRepository implements WebhookRepository {
  private readonly db: InMemoryWebhooksDb;
  constructor(db: InMemoryWebhooksDb) {
    this.db = db;
  }
  private byId(id: string) {
    return this.db.webhooks.find((webhook) => webhook.id === id);
  }
  async insertWithin(webhook: Webhook, max: number) {
    if (this.db.webhooks.filter((w) => w.userId === webhook.userId).length >= max) return false;
    this.db.webhooks.push(structuredClone(webhook));
    return true;
  }
  async listOf(userId: string) {
    return structuredClone(
      this.db.webhooks.filter((w) => w.userId === userId).sort((a, b) => compare(a.id, b.id)),
    );
  }
  async findOf(userId: string, webhookId: string) {
    const found = this.byId(webhookId);
    return found?.userId === userId ? structuredClone(found) : undefined;
  }
  async findById(webhookId: string) {
    const found = this.byId(webhookId);
    return found && structuredClone(found);
  }
  async save(webhook: Webhook) {
    const index = this.db.webhooks.findIndex(
      (w) => w.id === webhook.id && w.userId === webhook.userId,
    );
    if (index >= 0) this.db.webhooks[index] = structuredClone(webhook);
  }
  async delete(userId: string, webhookId: string) {
    const before = this.db.webhooks.length;
    this.db.webhooks = this.db.webhooks.filter((w) => !(w.id === webhookId && w.userId === userId));
    if (this.db.webhooks.length === before) return false;
    this.db.deliveries = this.db.deliveries.filter((d) => d.webhookId !== webhookId);
    return true;
  }
  async subscribedTo(userIds: readonly string[], type: WebhookEventType) {
    return structuredClone(
      this.db.webhooks
        .filter(
          (w) =>
            userIds.includes(w.userId) &&
            w.active &&
            w.events.some((event) => event === type || event === ALL_EVENTS),
        )
        .sort((a, b) => compare(a.id, b.id)),
    );
  }
  async countFailedDelivery(webhookId: string) {
    const webhook = this.byId(webhookId);
    if (!webhook) return 0;
    webhook.consecutiveFailures += 1;
    return webhook.consecutiveFailures;
  }
  async resetFailures(webhookId: string) {
    const webhook = this.byId(webhookId);
    if (webhook) webhook.consecutiveFailures = 0;
  }
  async disable(webhookId: string, reason: string, at: Date) {
    const webhook = this.byId(webhookId);
    if (!webhook?.active) return false;
    Object.assign(webhook, { active: false, disabledReason: reason, updatedAt: at });
    return true;
  }
}

export class InMemoryDeliveryRepository implements DeliveryRepository {
  private readonly db: InMemoryWebhooksDb;
  constructor(db: InMemoryWebhooksDb) {
    this.db = db;
  }
  private byId(id: string) {
    return this.db.deliveries.find((delivery) => delivery.id === id);
  }
  async insertNew(deliveries: readonly Delivery[]) {
    const stored: Delivery[] = [];
    for (const delivery of deliveries) {
      const taken = this.db.deliveries.some(
        (d) => d.webhookId === delivery.webhookId && d.eventId === delivery.eventId,
      );
      if (taken || !this.db.webhooks.some((w) => w.id === delivery.webhookId)) continue;
      this.db.deliveries.push(structuredClone(delivery));
      stored.push(structuredClone(delivery));
    }
    return stored;
  }
  async find(deliveryId: string) {
    const found = this.byId(deliveryId);
    return found && structuredClone(found);
  }
  async list(page: DeliveryPage) {
    const matching = this.db.deliveries
      .filter(
        (d) =>
          d.webhookId === page.webhookId &&
          (page.status === undefined || d.status === page.status) &&
          (page.beforeId === undefined || d.id < page.beforeId),
      )
      .sort((a, b) => compare(b.id, a.id));
    return {
      items: structuredClone(matching.slice(0, page.limit)),
      hasMore: matching.length > page.limit,
    };
  }
  async recordAttempt(deliveryId: string, attempt: number, record: AttemptRecord) {
    const delivery = this.byId(deliveryId);
    if (delivery?.status !== 'pending' || delivery.attempts !== attempt - 1) return false;
    Object.assign(delivery, { ...record, attempts: attempt });
    return true;
  }
  async fail(deliveryId: string, error: string, at: Date) {
    const delivery = this.byId(deliveryId);
    if (delivery?.status !== 'pending') return false;
    Object.assign(delivery, {
      status: 'failed',
      lastError: error,
      nextAttemptAt: null,
      lastAttemptAt: at,
    });
    return true;
  }
  async redeliver(webhookId: string, deliveryId: string, at: Date) {
    const delivery = this.byId(deliveryId);
    if (delivery?.webhookId !== webhookId) return undefined;
    Object.assign(delivery, {
      status: 'pending',
      attemptOffset: delivery.attempts,
      nextAttemptAt: at,
    });
    return structuredClone(delivery);
  }
  async pending(limit: number, afterId?: string) {
    return structuredClone(
      this.db.deliveries
        .filter((d) => d.status === 'pending' && (afterId === undefined || d.id > afterId))
        .sort((a, b) => compare(a.id, b.id))
        .slice(0, limit),
    );
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Sends nothing: records each attempt and answers with the next scripted outcome. */
export class ScriptedSender {
  readonly sent: OutgoingWebhook[] = [];
  outcomes: SendOutcome[] = [];
  fallback: SendOutcome = { kind: 'delivered', statusCode: 204, durationMs: 5 };
  async send(webhook: OutgoingWebhook): Promise<SendOutcome> {
    this.sent.push(webhook);
    return this.outcomes.shift() ?? this.fallback;
  }
}

/** Records what was queued, as (delivery, attempt, delay); `now` for a redelivery's attempt. */
export class RecordingQueue implements DeliveryQueue {
  readonly queued: Array<{ deliveryId: string; attempt: number; delayMs: number; now?: true }> = [];
  async enqueue(deliveryId: string, attempt: number, delayMs: number) {
    this.queued.push({ deliveryId, attempt, delayMs });
  }
  async enqueueNow(deliveryId: string, attempt: number) {
    this.queued.push({ deliveryId, attempt, delayMs: 0, now: true });
  }
  async scheduled(deliveryIds: readonly string[]) {
    return new Set(deliveryIds.filter((id) => this.queued.some((job) => job.deliveryId === id)));
  }
}

export interface AlertRecord {
  userId: string;
  webhookId: string;
  reason: string;
  published: boolean;
}

/** In-memory ports of the webhooks module, a fixed clock that tests move, and what they record. */
export function inMemoryWebhooksPorts(start = new Date('2026-12-06T10:00:00Z')) {
  const db = new InMemoryWebhooksDb();
  const sender = new ScriptedSender();
  const queue = new RecordingQueue();
  const alerts: AlertRecord[] = [];
  const failures: unknown[] = [];
  let now = start;
  const entitledNow = new Set<string>();
  let slotsFree = true;
  const ports: WebhooksPorts = {
    webhooks: new InMemoryWebhookRepository(db),
    deliveries: new InMemoryDeliveryRepository(db),
    secrets: { generate: () => `whsec_${Buffer.from(String(Math.random())).toString('base64')}` },
    urlPolicy: { check: async () => undefined },
    sender,
    queue,
    slots: { acquire: async () => (slotsFree ? async () => undefined : undefined) },
    // 1 min, 10 min, then give up: three attempts.
    retrySchedule: (attempt) => [60_000, 600_000][attempt - 2],
    audience: {
      whoMaySee: async (event) => [
        ...new Set([...(event.actorId ? [event.actorId] : []), ...event.recipients]),
      ],
      // Granted per task, or per project for the events of no task.
      stillEntitled: async (userId, event) =>
        entitledNow.has(`${userId}/${event.taskId ?? event.projectId}`),
      isMember: async (projectId, userId) => entitledNow.has(`${userId}/${projectId}`),
    },
    alerts: {
      webhookDisabled: async (input) => {
        const record = { ...input, published: false };
        alerts.push(record);
        return async () => {
          record.published = true;
        };
      },
    },
    settings: { allowPrivate: false, busyRetryMs: 1_000 },
    ids: new SequentialUuids(),
    clock: { now: () => now },
    transactions: { run: (work) => db.run(work) },
    failures: { report: (error) => failures.push(error) },
  };
  return {
    ports,
    db,
    sender,
    queue,
    alerts,
    failures,
    advance: (ms: number) => (now = new Date(now.getTime() + ms)),
    grant: (userId: string, taskId: string) => entitledNow.add(`${userId}/${taskId}`),
    revoke: (userId: string, taskId: string) => entitledNow.delete(`${userId}/${taskId}`),
    busySlots: (busy: boolean) => (slotsFree = !busy),
  };
}
