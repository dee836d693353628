import { RequestContext } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackgroundWork } from '../../../src/container.ts';
import { WebhooksEventSubscribers } from '../../../src/modules/notifications/adapters/webhooks/webhooks-event-subscribers.ts';
import { MikroOrmNotificationRepository } from '../../../src/modules/notifications/adapters/persistence/mikro-orm-notification-repository.ts';
import { MikroOrmOutboxSource } from '../../../src/modules/notifications/adapters/persistence/mikro-orm-outbox-source.ts';
import { MikroOrmReminderStates } from '../../../src/modules/notifications/adapters/persistence/mikro-orm-reminder-states.ts';
import { TasksTaskReader } from '../../../src/modules/notifications/adapters/tasks/tasks-task-reader.ts';
import { RelayOutbox } from '../../../src/modules/notifications/application/relay-outbox.ts';
import { DISABLE_AFTER_FAILED_DELIVERIES } from '../../../src/modules/webhooks/domain/webhook.ts';
import { MikroOrmTransactionRunner } from '../../../src/shared/infra/mikro-orm-transaction-runner.ts';
import { UuidV7Ids } from '../../../src/shared/infra/uuid-v7-ids.ts';
import { register } from '../../support/identity/http-client.ts';
import {
  createTask,
  inbox,
  patchTask,
  relayAll,
  sql,
} from '../../support/notifications/notifications-kit.ts';
import { expectStatus, TasksClient } from '../../support/tasks/http-tasks.ts';
import { LocalReceiver } from '../../support/webhooks/local-receiver.ts';
import {
  createWebhook,
  createWebhooksTestApp,
  waitForDeliveries,
  type DeliveryJson,
  type WebhooksTestApp,
} from '../../support/webhooks/webhooks-kit.ts';

let t: WebhooksTestApp;
let receiver: LocalReceiver;

beforeAll(async () => {
  t = await createWebhooksTestApp();
  receiver = await LocalReceiver.start();
});
afterAll(async () => {
  await receiver.close();
  await t.close();
});

const deliveryRows = (webhookId: string) =>
  sql<{ id: string; event_id: string; type: string; status: string; payload: unknown }>(
    t,
    'select id, event_id, type, status, payload from webhook_deliveries where webhook_id = ? order by id',
    [webhookId],
  );

/** A user with a webhook for every event, and a task of theirs whose status just changed. */
async function ownerWithStatusChange() {
  const owner = await register(t);
  const hook = await createWebhook(new TasksClient(t, owner), receiver.url);
  const task = await createTask(t, owner);
  await patchTask(t, owner, task.id, { status: 'in_progress' });
  return { owner, hook, task };
}

describe('deliveries written by the outbox relay', () => {
  it('writes one delivery per event and webhook, and none again when the event is relayed twice', async () => {
    const { owner, hook, task } = await ownerWithStatusChange();
    await relayAll(t);
    const rows = await deliveryRows(hook.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      type: 'task.status_changed',
      status: 'pending',
      payload: {
        type: 'task.status_changed',
        data: {
          id: rows[0]!.event_id,
          task_id: task.id,
          project_id: task.project_id,
          actor_id: owner.userId,
          data: { from: 'pending', to: 'in_progress' },
        },
      },
    });
    // The event handled again (as after a crash between the commit and anything else).
    await sql(t, 'update outbox_events set processed_at = null where id = ?', [rows[0]!.event_id]);
    expect(await relayAll(t)).toBe(1);
    expect(await deliveryRows(hook.id)).toEqual(rows);
    // After the commit the first attempt was queued.
    expect(await t.transport.queue.scheduled([rows[0]!.id])).toEqual(new Set([rows[0]!.id]));
  });

  it('writes no delivery when the relay’s transaction fails, and writes it on the next run', async () => {
    const { hook } = await ownerWithStatusChange();
    const em = t.container.orm.em;
    const source = new MikroOrmOutboxSource(em);
    const crashing = new RelayOutbox({
      outbox: {
        claim: (limit, options) => source.claim(limit, options),
        peek: (limit) => source.peek(limit),
        markProcessed: () => Promise.reject(new Error('the database went away')),
        recordFailure: (id) => source.recordFailure(id),
      },
      notifications: new MikroOrmNotificationRepository(em),
      reminderStates: new MikroOrmReminderStates(em),
      tasks: new TasksTaskReader(
        t.container.tasks.useCases.getTask,
        t.container.tasks.useCases.whoCanSeeTask,
      ),
      reminderJobs: { schedule: async () => undefined, cancel: async () => undefined },
      live: { publish: async () => undefined },
      subscribers: new WebhooksEventSubscribers(
        t.container.webhooks.useCases.recordEventDeliveries,
      ),
      ids: new UuidV7Ids(),
      clock: { now: () => new Date() },
      transactions: new MikroOrmTransactionRunner(em),
      failures: { report: () => undefined },
      tracing: { start: () => ({ run: (work) => work(), end: () => undefined }) },
    });
    const outcome = await RequestContext.create(em, async () => crashing.execute({ limit: 50 }));
    expect(outcome._unsafeUnwrap()).toMatchObject({ processed: 0 });
    expect(outcome._unsafeUnwrap().failed).toBeGreaterThan(0);
    expect(await deliveryRows(hook.id)).toEqual([]);

    await relayAll(t);
    expect(await deliveryRows(hook.id)).toHaveLength(1);
  });

  it('writes nothing for a stranger’s webhook: they cannot see the task', async () => {
    const stranger = await register(t);
    const theirs = await createWebhook(new TasksClient(t, stranger), receiver.url);
    const { hook } = await ownerWithStatusChange();
    await relayAll(t);
    expect(await deliveryRows(hook.id)).toHaveLength(1);
    expect(await deliveryRows(theirs.id)).toEqual([]);
  });
});

describe('the worker', () => {
  it('queues again a pending delivery whose job Redis lost, and it arrives', async () => {
    const owner = new TasksClient(t, await register(t));
    const hook = await createWebhook(owner, receiver.url);
    const ping = await expectStatus<DeliveryJson>(
      await owner.post(`/webhooks/${hook.id}/ping`),
      202,
    );
    // Redis loses the queue (FLUSHDB, a failover): the job is gone, the row still pending.
    await t.transport.queue.lose();
    expect(await t.transport.queue.scheduled([ping.id])).toEqual(new Set());
    const worker: BackgroundWork = t.container.startWorker();
    try {
      // Earlier tests' deliveries, pending with their jobs lost too, arrive alongside.
      for (
        let count = 1;
        !receiver.received.some((d) => d.headers['webhook-id'] === ping.id);
        count++
      ) {
        await receiver.waitFor(count);
      }
      await waitForDeliveries(owner, hook.id, ([d]) => d?.status === 'succeeded');
    } finally {
      await worker.stop();
    }
  });
});

describe('a receiver that keeps failing', () => {
  it(`is disabled after ${DISABLE_AFTER_FAILED_DELIVERIES} deliveries that used up their attempts, and its owner is notified`, async () => {
    // One attempt per delivery: no retries.
    const single = await createWebhooksTestApp({}, []);
    const failing = await LocalReceiver.start();
    failing.status = () => 500;
    const worker = single.container.startWorker();
    try {
      const user = await register(single);
      const owner = new TasksClient(single, user);
      const hook = await createWebhook(owner, failing.url);
      for (let i = 0; i < DISABLE_AFTER_FAILED_DELIVERIES; i++) {
        await expectStatus(await owner.post(`/webhooks/${hook.id}/ping`), 202);
        await waitForDeliveries(owner, hook.id, (items) => items[0]?.status === 'failed');
      }
      const disabled = await expectStatus<{ active: boolean; disabled_reason: string }>(
        await owner.get(`/webhooks/${hook.id}`),
        200,
      );
      expect(disabled.active).toBe(false);
      expect(disabled.disabled_reason).toMatch(/^5 deliveries in a row failed .*HTTP 500$/);
      const { items } = await inbox(single, user);
      expect(items.filter((n) => n.type === 'webhook.disabled')).toEqual([
        expect.objectContaining({
          task_id: null,
          actor_id: null,
          data: { webhook_id: hook.id, url: failing.url, reason: disabled.disabled_reason },
        }),
      ]);

      // A ping now is given up at once; resuming clears the reason and the count.
      const ping = await expectStatus<DeliveryJson>(
        await owner.post(`/webhooks/${hook.id}/ping`),
        202,
      );
      const [given] = await waitForDeliveries(
        owner,
        hook.id,
        ([d]) => d?.id === ping.id && d.status === 'failed',
      );
      expect(given!.last_error).toMatch(/^webhook is disabled: /);
      expect(given!.attempts).toBe(0);
      const resumed = await expectStatus<{ active: boolean; disabled_reason: null }>(
        await owner.patch(`/webhooks/${hook.id}`, { active: true }),
        200,
      );
      expect(resumed).toMatchObject({ active: true, disabled_reason: null });
      const [row] = await sql<{ consecutive_failures: number }>(
        single,
        'select consecutive_failures from webhooks where id = ?',
        [hook.id],
      );
      expect(row!.consecutive_failures).toBe(0);
    } finally {
      await worker.stop();
      await failing.close();
      await single.close();
    }
  });
});
