import { describe, expect, it } from 'vitest';
import type { WebhookEvent } from '../../../src/modules/webhooks/application/ports.ts';
import { RecordEventDeliveries } from '../../../src/modules/webhooks/application/record-event-deliveries.ts';
import { Redeliver } from '../../../src/modules/webhooks/application/redeliver.ts';
import { SendDelivery } from '../../../src/modules/webhooks/application/send-delivery.ts';
import { DISABLE_AFTER_FAILED_DELIVERIES } from '../../../src/modules/webhooks/domain/webhook.ts';
import type { Webhook } from '../../../src/modules/webhooks/domain/webhook.ts';
import { inMemoryWebhooksPorts } from '../../support/webhooks/in-memory-webhooks.ts';

const OWNER = '00000000-0000-7000-8000-00000000a001';
const TASK = '00000000-0000-7000-8000-00000000b001';

function aWebhook(overrides: Partial<Webhook> = {}): Webhook {
  const at = new Date('2026-12-06T09:00:00Z');
  return {
    id: '00000000-0000-7000-8000-00000000c001',
    userId: OWNER,
    url: 'https://hooks.example.com/in',
    events: ['*'],
    projectId: null,
    active: true,
    disabledReason: null,
    secret: 'whsec_current',
    previousSecret: null,
    previousSecretExpiresAt: null,
    consecutiveFailures: 0,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

let events = 0;
function anEvent(overrides: Partial<WebhookEvent> = {}): WebhookEvent {
  events += 1;
  return {
    id: `00000000-0000-7000-8000-0000000e${events.toString(16).padStart(4, '0')}`,
    type: 'task.status_changed',
    taskId: TASK,
    projectId: null,
    actorId: OWNER,
    data: { title: 'Write the report', from: 'pending', to: 'completed' },
    occurredAt: new Date('2026-12-06T09:30:00Z'),
    recipients: [],
    ...overrides,
  };
}

/** A world with one webhook, its owner allowed to see the task, and one delivery pending. */
async function world(webhook: Partial<Webhook> = {}) {
  const w = inMemoryWebhooksPorts();
  w.db.webhooks.push(aWebhook(webhook));
  w.grant(OWNER, TASK);
  const record = new RecordEventDeliveries(w.ports);
  const send = new SendDelivery(w.ports);
  /** Records the event as the relay would, then runs what follows the commit. */
  const deliver = async (event = anEvent()) => {
    const dispatch = await w.db.run(async () => (await record.execute([event]))._unsafeUnwrap());
    await dispatch();
    return w.db.deliveries.at(-1)!;
  };
  /** Runs every queued job (each once), as the worker would. */
  const runQueued = async () => {
    const jobs = w.queue.queued.splice(0);
    const outcomes = [];
    for (const job of jobs) outcomes.push((await send.execute(job))._unsafeUnwrap());
    return outcomes;
  };
  return { ...w, record, send, deliver, runQueued };
}

describe('SendDelivery', () => {
  it('sends the stored body signed with the current secret and records success', async () => {
    const w = await world();
    const delivery = await w.deliver();
    expect(w.queue.queued).toEqual([{ deliveryId: delivery.id, attempt: 1, delayMs: 0 }]);
    const [outcome] = await w.runQueued();
    expect(outcome).toEqual({ type: 'succeeded', statusCode: 204 });
    const [sent] = w.sender.sent;
    expect(sent).toMatchObject({
      url: 'https://hooks.example.com/in',
      messageId: delivery.id,
      secrets: ['whsec_current'],
    });
    expect(JSON.parse(sent!.body)).toEqual(delivery.payload);
    expect(w.db.deliveries[0]).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      lastStatusCode: 204,
      durationMs: 5,
      nextAttemptAt: null,
    });
  });

  it('signs with a rotated secret too while it is valid, and not after', async () => {
    const w = await world({
      previousSecret: 'whsec_old',
      previousSecretExpiresAt: new Date('2026-12-06T10:00:30Z'),
    });
    await w.deliver();
    await w.runQueued();
    w.advance(60_000);
    await w.deliver();
    await w.runQueued();
    expect(w.sender.sent.map((s) => s.secrets)).toEqual([
      ['whsec_current', 'whsec_old'],
      ['whsec_current'],
    ]);
  });

  it('schedules retries per the schedule, then fails the delivery when it is used up', async () => {
    const w = await world();
    w.sender.fallback = { kind: 'rejected', statusCode: 503, durationMs: 7, error: 'HTTP 503' };
    const delivery = await w.deliver();
    const [first] = await w.runQueued();
    expect(first).toEqual({
      type: 'retrying',
      nextAttemptAt: new Date('2026-12-06T10:01:00Z'),
    });
    expect(w.queue.queued).toEqual([{ deliveryId: delivery.id, attempt: 2, delayMs: 60_000 }]);
    expect(w.db.deliveries[0]).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastStatusCode: 503,
      lastError: 'HTTP 503',
    });
    const [second] = await w.runQueued();
    expect(second).toMatchObject({ type: 'retrying' });
    expect(w.queue.queued[0]).toMatchObject({ attempt: 3, delayMs: 600_000 });
    const [third] = await w.runQueued();
    expect(third).toEqual({ type: 'failed', error: 'HTTP 503', disabledWebhook: false });
    expect(w.queue.queued).toEqual([]);
    expect(w.db.deliveries[0]).toMatchObject({
      status: 'failed',
      attempts: 3,
      nextAttemptAt: null,
    });
    expect(w.db.webhooks[0]!.consecutiveFailures).toBe(1);
  });

  it('does nothing for a stale or duplicated job', async () => {
    const w = await world();
    const delivery = await w.deliver();
    await w.runQueued();
    const again = await w.send.execute({ deliveryId: delivery.id, attempt: 1 });
    expect(again._unsafeUnwrap()).toEqual({ type: 'stale' });
    expect(w.sender.sent).toHaveLength(1);
  });

  it('asks for the same job again later, sending and counting nothing, when every slot of the endpoint is busy', async () => {
    const w = await world();
    const delivery = await w.deliver();
    w.busySlots(true);
    expect(await w.runQueued()).toEqual([{ type: 'deferred', retryInMs: 1_000 }]);
    expect(w.queue.queued).toEqual([]);
    expect(w.sender.sent).toEqual([]);
    expect(w.db.deliveries[0]).toMatchObject({ status: 'pending', attempts: 0 });
    w.busySlots(false);
    const again = await w.send.execute({ deliveryId: delivery.id, attempt: 1 });
    expect(again._unsafeUnwrap()).toEqual({ type: 'succeeded', statusCode: 204 });
  });

  it('sends nothing once the owner lost access to the task, and says why', async () => {
    const w = await world();
    await w.deliver();
    w.revoke(OWNER, TASK);
    const [outcome] = await w.runQueued();
    expect(outcome).toEqual({
      type: 'failed',
      error: 'the webhook owner can no longer see this task',
      disabledWebhook: false,
    });
    expect(w.sender.sent).toEqual([]);
    expect(w.db.deliveries[0]).toMatchObject({ status: 'failed', attempts: 0 });
    expect(w.db.webhooks[0]!.consecutiveFailures).toBe(0);
  });

  it('gives up deliveries of a webhook paused since, without sending', async () => {
    const w = await world();
    const delivery = await w.deliver();
    w.db.webhooks[0]!.active = false;
    const [outcome] = await w.runQueued();
    expect(outcome).toEqual({
      type: 'failed',
      error: 'webhook is inactive',
      disabledWebhook: false,
    });
    expect(w.sender.sent).toEqual([]);
    expect(w.db.deliveries.find((d) => d.id === delivery.id)?.status).toBe('failed');
  });

  it(`disables the webhook after ${DISABLE_AFTER_FAILED_DELIVERIES} used-up deliveries in a row and tells its owner once`, async () => {
    const w = await world();
    w.sender.fallback = { kind: 'unreachable', durationMs: 10_000, error: 'connect ECONNREFUSED' };
    const outcomes = [];
    for (let i = 0; i < DISABLE_AFTER_FAILED_DELIVERIES; i++) {
      await w.deliver();
      for (let attempt = 0; attempt < 3; attempt++) outcomes.push(...(await w.runQueued()));
    }
    const failed = outcomes.filter((o) => o.type === 'failed');
    expect(failed.map((o) => o.type === 'failed' && o.disabledWebhook)).toEqual([
      false,
      false,
      false,
      false,
      true,
    ]);
    const [webhook] = w.db.webhooks;
    expect(webhook).toMatchObject({
      active: false,
      consecutiveFailures: DISABLE_AFTER_FAILED_DELIVERIES,
    });
    expect(webhook!.disabledReason).toMatch(/^5 deliveries in a row failed.*ECONNREFUSED/);
    expect(w.alerts).toEqual([
      {
        userId: OWNER,
        webhookId: webhook!.id,
        url: webhook!.url,
        reason: webhook!.disabledReason,
        at: expect.any(Date) as Date,
        published: true,
      },
    ]);
    // Nothing more goes out; the next event of the disabled webhook is not even recorded.
    await w.deliver();
    expect(w.queue.queued).toEqual([]);
  });

  it('forgets failures in a row once a delivery succeeds', async () => {
    const w = await world();
    w.sender.fallback = { kind: 'unreachable', durationMs: 1, error: 'timeout' };
    for (let i = 0; i < DISABLE_AFTER_FAILED_DELIVERIES - 1; i++) {
      await w.deliver();
      for (let attempt = 0; attempt < 3; attempt++) await w.runQueued();
    }
    expect(w.db.webhooks[0]!.consecutiveFailures).toBe(DISABLE_AFTER_FAILED_DELIVERIES - 1);
    w.sender.fallback = { kind: 'delivered', statusCode: 200, durationMs: 1 };
    await w.deliver();
    await w.runQueued();
    expect(w.db.webhooks[0]).toMatchObject({ active: true, consecutiveFailures: 0 });
  });
});

describe('Redeliver', () => {
  const redeliver = (w: Awaited<ReturnType<typeof world>>, deliveryId: string) =>
    new Redeliver(w.ports).execute({
      actor: { userId: OWNER },
      webhookId: w.db.webhooks[0]!.id,
      deliveryId,
    });

  it('queues, to run now, the same attempt of a delivery given up unsent, and it is sent', async () => {
    const w = await world();
    const delivery = await w.deliver();
    w.db.webhooks[0]!.active = false;
    await w.runQueued();
    expect(w.db.deliveries[0]).toMatchObject({ status: 'failed', attempts: 0 });
    w.db.webhooks[0]!.active = true;

    (await redeliver(w, delivery.id))._unsafeUnwrap();

    expect(w.queue.queued).toEqual([
      { deliveryId: delivery.id, attempt: 1, delayMs: 0, now: true },
    ]);
    const [outcome] = await w.runQueued();
    expect(outcome).toEqual({ type: 'succeeded', statusCode: 204 });
    expect(w.sender.sent).toHaveLength(1);
  });

  it('queues, to run now, the attempt a pending delivery was waiting hours for', async () => {
    const w = await world();
    w.sender.fallback = { kind: 'rejected', statusCode: 503, durationMs: 7, error: 'HTTP 503' };
    const delivery = await w.deliver();
    await w.runQueued();
    expect(w.queue.queued.splice(0)).toEqual([
      { deliveryId: delivery.id, attempt: 2, delayMs: 60_000 },
    ]);

    (await redeliver(w, delivery.id))._unsafeUnwrap();

    expect(w.queue.queued).toEqual([
      { deliveryId: delivery.id, attempt: 2, delayMs: 0, now: true },
    ]);
  });
});

describe('RecordEventDeliveries', () => {
  it('writes one delivery per event and webhook: a repeated event is a no-op', async () => {
    const w = await world();
    const event = anEvent();
    await w.db.run(async () => w.record.execute([event]));
    await w.db.run(async () => w.record.execute([event]));
    expect(w.db.deliveries).toHaveLength(1);
  });

  it('records for the webhooks of those entitled to see the event, of the types they want', async () => {
    const w = inMemoryWebhooksPorts();
    const stranger = '00000000-0000-7000-8000-00000000a009';
    const assignee = '00000000-0000-7000-8000-00000000a002';
    w.db.webhooks.push(
      aWebhook({ id: '00000000-0000-7000-8000-00000000c001', events: ['task.commented'] }),
      aWebhook({ id: '00000000-0000-7000-8000-00000000c002', userId: assignee }),
      aWebhook({ id: '00000000-0000-7000-8000-00000000c003', userId: stranger }),
      aWebhook({ id: '00000000-0000-7000-8000-00000000c004', userId: assignee, active: false }),
    );
    const record = new RecordEventDeliveries(w.ports);
    const dispatch = await w.db.run(async () =>
      (
        await record.execute([anEvent({ type: 'task.assigned', recipients: [assignee] })])
      )._unsafeUnwrap(),
    );
    await dispatch();
    expect(w.db.deliveries.map((d) => d.webhookId)).toEqual([
      '00000000-0000-7000-8000-00000000c002',
    ]);
    expect(w.queue.queued).toEqual([
      { deliveryId: w.db.deliveries[0]!.id, attempt: 1, delayMs: 0 },
    ]);
    expect(w.db.deliveries[0]!.payload).toMatchObject({
      type: 'task.assigned',
      timestamp: '2026-12-06T09:30:00.000Z',
      data: { type: 'task.assigned', task_id: TASK, project_id: null, actor_id: OWNER },
    });
  });
  it('records for a project-scoped webhook only the events of its project', async () => {
    const w = inMemoryWebhooksPorts();
    const project = '00000000-0000-7000-8000-00000000d001';
    const other = '00000000-0000-7000-8000-00000000d002';
    w.db.webhooks.push(
      aWebhook({ id: '00000000-0000-7000-8000-00000000c001', projectId: project }),
      aWebhook({ id: '00000000-0000-7000-8000-00000000c002' }),
    );
    const record = new RecordEventDeliveries(w.ports);
    const inProject = anEvent({ projectId: project });
    const inOther = anEvent({ projectId: other });
    await w.db.run(async () => (await record.execute([inProject, inOther]))._unsafeUnwrap());
    const delivered = (webhookId: string) =>
      w.db.deliveries.filter((d) => d.webhookId === webhookId).map((d) => d.eventId);
    expect(delivered('00000000-0000-7000-8000-00000000c001')).toEqual([inProject.id]);
    expect(delivered('00000000-0000-7000-8000-00000000c002')).toEqual([inProject.id, inOther.id]);
    expect(w.db.deliveries[0]!.payload.data.project_id).toBe(project);
  });
});
