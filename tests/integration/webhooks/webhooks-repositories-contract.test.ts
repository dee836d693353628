import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entities } from '../../../src/container.ts';
import { MikroOrmDeliveryRepository } from '../../../src/modules/webhooks/adapters/persistence/mikro-orm-delivery-repository.ts';
import { MikroOrmWebhookRepository } from '../../../src/modules/webhooks/adapters/persistence/mikro-orm-webhook-repository.ts';
import type {
  DeliveryRepository,
  WebhookRepository,
} from '../../../src/modules/webhooks/application/ports.ts';
import type { Delivery } from '../../../src/modules/webhooks/domain/delivery.ts';
import type { Webhook } from '../../../src/modules/webhooks/domain/webhook.ts';
import { initOrm, type Orm } from '../../../src/shared/infra/orm.ts';
import { UuidV7Ids } from '../../../src/shared/infra/uuid-v7-ids.ts';
import {
  isolatedDatabase,
  type IsolatedDatabase,
} from '../../support/notifications/isolated-database.ts';
import { storedUsers } from '../../support/tasks/contract-users.ts';
import { inMemoryWebhooksPorts } from '../../support/webhooks/in-memory-webhooks.ts';

/**
 * The contract of the webhooks repositories, run against the in-memory fakes the use-case tests
 * rely on and against PostgreSQL, so the fakes cannot drift from the SQL. PostgreSQL runs on a
 * database of its own: the pending deliveries the reconciler walks are global.
 */

interface World {
  webhooks: WebhookRepository;
  deliveries: DeliveryRepository;
  users: () => Promise<[string, string, string]>;
}

let database: IsolatedDatabase;
let orm: Orm;

beforeAll(async () => {
  database = await isolatedDatabase('webhooks_contract');
  orm = await initOrm({ databaseUrl: database.url, entities, poolMax: 4 });
});

afterAll(async () => {
  await orm.close();
  await database.drop();
});

const inMemory = async (): Promise<World> => {
  const { ports } = inMemoryWebhooksPorts();
  return {
    webhooks: ports.webhooks,
    deliveries: ports.deliveries,
    users: async () => [randomUUID(), randomUUID(), randomUUID()],
  };
};

const postgres = async (): Promise<World> => {
  await database.execute('delete from webhook_deliveries');
  const em = orm.em.fork();
  return {
    webhooks: new MikroOrmWebhookRepository(em),
    deliveries: new MikroOrmDeliveryRepository(em),
    users: () => storedUsers(orm),
  };
};

const ids = new UuidV7Ids();
const T0 = new Date('2030-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function aWebhook(userId: string, overrides: Partial<Webhook> = {}): Webhook {
  return {
    id: ids.next(),
    userId,
    url: 'https://hooks.example.com/in',
    events: ['task.assigned'],
    projectId: null,
    active: true,
    disabledReason: null,
    secret: 'whsec_c2VjcmV0',
    previousSecret: null,
    previousSecretExpiresAt: null,
    consecutiveFailures: 0,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

function aDelivery(webhookId: string, overrides: Partial<Delivery> = {}): Delivery {
  const eventId = randomUUID();
  return {
    id: ids.next(),
    webhookId,
    eventId,
    type: 'task.assigned',
    payload: {
      type: 'task.assigned',
      timestamp: T0.toISOString(),
      data: {
        id: eventId,
        type: 'task.assigned',
        task_id: randomUUID(),
        project_id: null,
        actor_id: null,
        data: { title: 'Report' },
        created_at: T0.toISOString(),
      },
    },
    status: 'pending',
    attempts: 0,
    attemptOffset: 0,
    lastStatusCode: null,
    lastError: null,
    lastAttemptAt: null,
    nextAttemptAt: T0,
    durationMs: null,
    createdAt: T0,
    ...overrides,
  };
}

describe.each([
  ['in memory', inMemory],
  ['PostgreSQL', postgres],
])('webhooks repositories (%s)', (_name, makeWorld) => {
  it('stores up to the limit per user and shows each user only their own', async () => {
    const { webhooks, users } = await makeWorld();
    const [alice, bob] = await users();
    const first = aWebhook(alice);
    const second = aWebhook(alice, { events: ['*'] });
    expect(await webhooks.insertWithin(first, 2)).toBe(true);
    expect(await webhooks.insertWithin(second, 2)).toBe(true);
    expect(await webhooks.insertWithin(aWebhook(alice), 2)).toBe(false);
    expect(await webhooks.insertWithin(aWebhook(bob), 2)).toBe(true);
    expect(await webhooks.listOf(alice)).toEqual([first, second]);
    expect(await webhooks.findOf(alice, first.id)).toEqual(first);
    expect(await webhooks.findOf(bob, first.id)).toBeUndefined();
    expect(await webhooks.findById(second.id)).toEqual(second);
  });

  it('saves every field, and deletes only the owner’s webhook with its deliveries', async () => {
    const { webhooks, deliveries, users } = await makeWorld();
    const [alice, bob] = await users();
    const hook = aWebhook(alice);
    await webhooks.insertWithin(hook, 10);
    const changed: Webhook = {
      ...hook,
      url: 'https://other.example.com/x',
      events: ['task.commented', 'task.due_soon'],
      active: false,
      disabledReason: 'paused',
      secret: 'whsec_bmV3',
      previousSecret: hook.secret,
      previousSecretExpiresAt: at(60),
      consecutiveFailures: 2,
      updatedAt: at(1),
    };
    await webhooks.save(changed);
    expect(await webhooks.findById(hook.id)).toEqual(changed);
    const [delivery] = await deliveries.insertNew([aDelivery(hook.id)]);
    expect(await webhooks.delete(bob, hook.id)).toBe(false);
    expect(await webhooks.delete(alice, hook.id)).toBe(true);
    expect(await webhooks.findById(hook.id)).toBeUndefined();
    expect(await deliveries.find(delivery!.id)).toBeUndefined();
  });

  it('finds the active webhooks of the given users that want a type', async () => {
    const { webhooks, users } = await makeWorld();
    const [alice, bob, carol] = await users();
    const assigned = aWebhook(alice, { events: ['task.assigned'] });
    const all = aWebhook(bob, { events: ['*'] });
    const other = aWebhook(alice, { events: ['task.commented'] });
    const paused = aWebhook(bob, { active: false, events: ['*'] });
    const outsider = aWebhook(carol, { events: ['*'] });
    for (const hook of [assigned, all, other, paused, outsider]) {
      await webhooks.insertWithin(hook, 10);
    }
    const found = await webhooks.subscribedTo([alice, bob], 'task.assigned');
    expect(found.map((hook) => hook.id)).toEqual([assigned.id, all.id]);
    expect(await webhooks.subscribedTo([], 'task.assigned')).toEqual([]);
  });

  it('counts failed deliveries in a row, resets them, and disables an active webhook once', async () => {
    const { webhooks, users } = await makeWorld();
    const [alice] = await users();
    const hook = aWebhook(alice);
    await webhooks.insertWithin(hook, 10);
    expect(await webhooks.countFailedDelivery(hook.id)).toBe(1);
    expect(await webhooks.countFailedDelivery(hook.id)).toBe(2);
    await webhooks.resetFailures(hook.id);
    expect(await webhooks.countFailedDelivery(hook.id)).toBe(1);
    expect(await webhooks.disable(hook.id, 'kept failing', at(5))).toBe(true);
    expect(await webhooks.disable(hook.id, 'again', at(6))).toBe(false);
    expect(await webhooks.findById(hook.id)).toMatchObject({
      active: false,
      disabledReason: 'kept failing',
      updatedAt: at(5),
    });
  });

  it('stores one delivery per webhook and event, and pages them newest first', async () => {
    const { webhooks, deliveries, users } = await makeWorld();
    const [alice] = await users();
    const hook = aWebhook(alice);
    await webhooks.insertWithin(hook, 10);
    const first = aDelivery(hook.id);
    const second = aDelivery(hook.id, { status: 'failed' });
    const third = aDelivery(hook.id);
    expect(await deliveries.insertNew([first, second])).toEqual([first, second]);
    const again = { ...aDelivery(hook.id), eventId: first.eventId };
    expect(await deliveries.insertNew([again, third])).toEqual([third]);
    expect(await deliveries.find(first.id)).toEqual(first);

    const page = await deliveries.list({ webhookId: hook.id, limit: 2 });
    expect(page).toEqual({ items: [third, second], hasMore: true });
    const next = await deliveries.list({ webhookId: hook.id, limit: 2, beforeId: second.id });
    expect(next).toEqual({ items: [first], hasMore: false });
    expect(await deliveries.list({ webhookId: hook.id, limit: 5, status: 'failed' })).toEqual({
      items: [second],
      hasMore: false,
    });
  });

  it('records an attempt only at the expected count, fails, redelivers, and lists pending ones', async () => {
    const { webhooks, deliveries, users } = await makeWorld();
    const [alice] = await users();
    const hook = aWebhook(alice);
    await webhooks.insertWithin(hook, 10);
    const pending = aDelivery(hook.id);
    const other = aDelivery(hook.id);
    await deliveries.insertNew([pending, other]);
    const record = {
      status: 'pending' as const,
      lastStatusCode: 503,
      lastError: 'HTTP 503',
      lastAttemptAt: at(1),
      nextAttemptAt: at(2),
      durationMs: 12,
    };
    expect(await deliveries.recordAttempt(pending.id, 2, record)).toBe(false);
    expect(await deliveries.recordAttempt(pending.id, 1, record)).toBe(true);
    expect(await deliveries.recordAttempt(pending.id, 1, record)).toBe(false);
    expect(await deliveries.find(pending.id)).toMatchObject({ ...record, attempts: 1 });
    expect((await deliveries.pending(10)).map((d) => d.id)).toEqual([pending.id, other.id]);
    expect((await deliveries.pending(10, pending.id)).map((d) => d.id)).toEqual([other.id]);

    expect(await deliveries.fail(other.id, 'webhook is inactive', at(3))).toBe(true);
    expect(await deliveries.fail(other.id, 'again', at(4))).toBe(false);
    expect(await deliveries.find(other.id)).toMatchObject({
      status: 'failed',
      lastError: 'webhook is inactive',
      nextAttemptAt: null,
      attempts: 0,
    });
    expect((await deliveries.pending(10)).map((d) => d.id)).toEqual([pending.id]);

    expect(await deliveries.redeliver(randomUUID(), other.id, at(5))).toBeUndefined();
    const again = await deliveries.redeliver(hook.id, other.id, at(5));
    expect(again).toMatchObject({ status: 'pending', attemptOffset: 0, nextAttemptAt: at(5) });
    await deliveries.recordAttempt(pending.id, 2, {
      ...record,
      status: 'failed',
      nextAttemptAt: null,
    });
    expect(await deliveries.redeliver(hook.id, pending.id, at(6))).toMatchObject({
      status: 'pending',
      attempts: 2,
      attemptOffset: 2,
    });
  });
});
