import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackgroundWork } from '../../../src/container.ts';
import { HttpWebhookUrlPolicy } from '../../../src/modules/webhooks/adapters/delivery/url-policy.ts';
import {
  MAX_URL_LENGTH,
  MAX_WEBHOOKS_PER_USER,
} from '../../../src/modules/webhooks/domain/webhook.ts';
import { register } from '../../support/identity/http-client.ts';
import { patchTask } from '../../support/notifications/notifications-kit.ts';
import { sql, taskInProject, team } from '../../support/tasks/http-projects.ts';
import {
  expectProblem,
  expectStatus,
  NO_SUCH_ID,
  TasksClient,
  verifiedUser,
} from '../../support/tasks/http-tasks.ts';
import { LocalReceiver, signedBy } from '../../support/webhooks/local-receiver.ts';
import {
  createWebhook,
  createWebhooksTestApp,
  deliveriesOf,
  waitForDeliveries,
  type DeliveryJson,
  type WebhookJson,
  type WebhooksTestApp,
} from '../../support/webhooks/webhooks-kit.ts';

let t: WebhooksTestApp;
let worker: BackgroundWork;
let receiver: LocalReceiver;
let alice: TasksClient;
let bob: TasksClient;

beforeAll(async () => {
  t = await createWebhooksTestApp();
  worker = t.container.startWorker();
  receiver = await LocalReceiver.start();
  const [a, b] = await Promise.all([register(t), register(t)]);
  alice = new TasksClient(t, a);
  bob = new TasksClient(t, b);
});
afterAll(async () => {
  await worker.stop();
  await receiver.close();
  await t.close();
});

const freshUser = async () => new TasksClient(t, await register(t));

describe('POST /webhooks', () => {
  it('creates a webhook (201) and shows its secret in that answer only', async () => {
    const res = await alice.post('/webhooks', {
      url: receiver.url,
      events: ['task.assigned', 'task.commented'],
    });
    const created = await expectStatus<WebhookJson & { secret: string }>(res, 201);
    expect(res.headers.get('location')).toBe(`/api/v1/webhooks/${created.id}`);
    expect(created).toMatchObject({
      url: receiver.url,
      events: ['task.assigned', 'task.commented'],
      active: true,
      disabled_reason: null,
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const read = await expectStatus<WebhookJson>(await alice.get(`/webhooks/${created.id}`), 200);
    expect(read).not.toHaveProperty('secret');
    const { items } = await expectStatus<{ items: WebhookJson[] }>(
      await alice.get('/webhooks'),
      200,
    );
    expect(items.find((hook) => hook.id === created.id)).toEqual(read);
    expect(JSON.stringify(items)).not.toContain(created.secret);
  });

  it('answers 400 naming url and events together for invalid ones', async () => {
    const cases: Array<[unknown, string[]]> = [
      [{}, ['url', 'events']],
      [{ url: receiver.url, events: [] }, ['events']],
      [{ url: receiver.url, events: ['task.assigned', 'task.assigned'] }, ['events']],
      [{ url: receiver.url, events: ['*', 'task.assigned'] }, ['events']],
      [{ url: receiver.url, events: ['task.deleted'] }, ['events.0']],
      [{ url: 'not a url', events: ['*'] }, ['url']],
      [{ url: 'ftp://example.com/hook', events: ['*'] }, ['url']],
      [{ url: 'https://user:pw@example.com/hook', events: ['*'] }, ['url']],
      [{ url: `https://example.com/${'a'.repeat(MAX_URL_LENGTH)}`, events: ['*'] }, ['url']],
      [{ url: 'ftp://example.com/hook', events: [] }, ['url', 'events']],
      [{ url: receiver.url, events: ['*'], active: 'yes' }, ['active']],
    ];
    for (const [payload, fields] of cases) {
      const problem = await expectProblem(
        await alice.post('/webhooks', payload),
        400,
        'validation_failed',
      );
      expect(problem.errors?.map((e) => e.field).sort(), JSON.stringify(payload)).toEqual(
        [...fields].sort(),
      );
    }
  });

  it('refuses plain http unless WEBHOOK_ALLOW_PRIVATE is on', async () => {
    const strict = await createWebhooksTestApp({ WEBHOOK_ALLOW_PRIVATE: 'false' });
    try {
      const user = new TasksClient(strict, await register(strict));
      const problem = await expectProblem(
        await user.post('/webhooks', { url: 'http://example.com/hook', events: ['*'] }),
        400,
        'validation_failed',
      );
      expect(problem.errors).toEqual([{ field: 'url', message: 'must use https' }]);
    } finally {
      await strict.close();
    }
  });

  it('refuses (400) a host name that resolves to a private address or not at all, on create and update', async () => {
    const names: Record<string, string> = {
      'hooks.example.com': '93.184.216.34',
      'intranet.example.com': '10.1.2.3',
    };
    const policy = new HttpWebhookUrlPolicy({
      resolve: (host) =>
        names[host] === undefined
          ? Promise.reject(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }))
          : Promise.resolve([{ address: names[host], family: 4 }]),
    });
    const strict = await createWebhooksTestApp(
      { WEBHOOK_ALLOW_PRIVATE: 'false' },
      undefined,
      policy,
    );
    try {
      const user = new TasksClient(strict, await register(strict));
      const privateUrl = await expectProblem(
        await user.post('/webhooks', { url: 'https://intranet.example.com/hook', events: ['*'] }),
        400,
        'validation_failed',
      );
      expect(privateUrl.errors).toEqual([
        {
          field: 'url',
          message:
            'must not point to intranet.example.com: it resolves to 10.1.2.3 (private network)',
        },
      ]);
      const unknown = await expectProblem(
        await user.post('/webhooks', { url: 'https://nowhere.example.com/hook', events: ['*'] }),
        400,
        'validation_failed',
      );
      expect(unknown.errors).toEqual([
        {
          field: 'url',
          message: 'must name a host that resolves: nowhere.example.com does not resolve',
        },
      ]);
      const hook = await createWebhook(user, 'https://hooks.example.com/hook');
      const update = await expectProblem(
        await user.patch(`/webhooks/${hook.id}`, { url: 'https://intranet.example.com/in' }),
        400,
        'validation_failed',
      );
      expect(update.errors?.map((e) => e.field)).toEqual(['url']);
      const unchanged = await expectStatus<WebhookJson>(
        await user.get(`/webhooks/${hook.id}`),
        200,
      );
      expect(unchanged.url).toBe('https://hooks.example.com/hook');
    } finally {
      await strict.close();
    }
  });

  it(`answers 409 webhook_limit_reached past ${MAX_WEBHOOKS_PER_USER} webhooks`, async () => {
    const carol = await freshUser();
    await Promise.all(
      Array.from({ length: MAX_WEBHOOKS_PER_USER }, () => createWebhook(carol, receiver.url)),
    );
    await expectProblem(
      await carol.post('/webhooks', { url: receiver.url, events: ['*'] }),
      409,
      'webhook_limit_reached',
    );
  });
});

describe('GET, PATCH, DELETE /webhooks/{webhook_id}', () => {
  it('shows, changes and deletes only the owner’s webhooks (others get 404)', async () => {
    const hook = await createWebhook(alice, receiver.url);
    await expectProblem(await bob.get(`/webhooks/${hook.id}`), 404, 'not_found');
    await expectProblem(await bob.patch(`/webhooks/${hook.id}`, { active: false }), 404);
    await expectProblem(await bob.del(`/webhooks/${hook.id}`), 404);
    await expectProblem(await bob.post(`/webhooks/${hook.id}/rotate-secret`), 404);
    await expectProblem(await bob.post(`/webhooks/${hook.id}/ping`), 404);
    await expectProblem(await bob.get(`/webhooks/${hook.id}/deliveries`), 404);
    expect(
      (await expectStatus<{ items: WebhookJson[] }>(await bob.get('/webhooks'), 200)).items,
    ).toEqual([]);
    await expectProblem(await alice.get(`/webhooks/${NO_SUCH_ID}`), 404);
    await expectProblem(await alice.get('/webhooks/not-a-uuid'), 400, 'validation_failed');

    const patched = await expectStatus<WebhookJson>(
      await alice.patch(`/webhooks/${hook.id}`, {
        url: `${receiver.url}?v=2`,
        events: ['task.due_soon'],
        active: false,
      }),
      200,
    );
    expect(patched).toMatchObject({
      url: `${receiver.url}?v=2`,
      events: ['task.due_soon'],
      active: false,
    });
    expect(await expectStatus(await alice.get(`/webhooks/${hook.id}`), 200)).toEqual(patched);
    const problem = await expectProblem(
      await alice.patch(`/webhooks/${hook.id}`, { url: 'ftp://x', events: [] }),
      400,
      'validation_failed',
    );
    expect(problem.errors?.map((e) => e.field).sort()).toEqual(['events', 'url']);

    await expectStatus(await alice.del(`/webhooks/${hook.id}`), 204);
    await expectProblem(await alice.get(`/webhooks/${hook.id}`), 404);
    await expectProblem(await alice.del(`/webhooks/${hook.id}`), 404);
  });
});

describe('POST /webhooks/{webhook_id}/rotate-secret', () => {
  it('issues a new secret; for a day deliveries are signed with the new and the old one', async () => {
    const hook = await createWebhook(alice, receiver.url);
    const res = await alice.post(`/webhooks/${hook.id}/rotate-secret`);
    const rotated = await expectStatus<{ secret: string; previous_secret_expires_at: string }>(
      res,
      200,
    );
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(hook.secret);
    const day = Date.parse(rotated.previous_secret_expires_at) - Date.now();
    expect(day).toBeGreaterThan(23 * 3600_000);
    expect(day).toBeLessThanOrEqual(24 * 3600_000);

    const before = receiver.received.length;
    await expectStatus(await alice.post(`/webhooks/${hook.id}/ping`), 202);
    const [delivery] = (await receiver.waitFor(before + 1)).slice(before);
    expect(signedBy(delivery!, rotated.secret)).toBe(true);
    expect(signedBy(delivery!, hook.secret)).toBe(true);
    expect(String(delivery!.headers['webhook-signature']).split(' ')).toHaveLength(2);
  });
});

describe('POST /webhooks/{webhook_id}/ping and the deliveries', () => {
  it('sends a signed webhook.ping, recorded as succeeded', async () => {
    const hook = await createWebhook(alice, receiver.url);
    const before = receiver.received.length;
    const res = await alice.post(`/webhooks/${hook.id}/ping`);
    const queued = await expectStatus<DeliveryJson>(res, 202);
    expect(queued).toMatchObject({ type: 'webhook.ping', status: 'pending', attempts: 0 });
    const [received] = (await receiver.waitFor(before + 1)).slice(before);
    expect(received!.headers['webhook-id']).toBe(queued.id);
    expect(received!.headers['content-type']).toBe('application/json');
    expect(signedBy(received!, hook.secret)).toBe(true);
    expect(received!.json).toEqual({
      type: 'webhook.ping',
      timestamp: queued.created_at,
      data: {
        id: queued.event_id,
        type: 'webhook.ping',
        task_id: null,
        project_id: null,
        actor_id: alice.id,
        data: { webhook_id: hook.id },
        created_at: queued.created_at,
      },
    });
    const [done] = await waitForDeliveries(alice, hook.id, ([d]) => d?.status === 'succeeded');
    expect(done).toMatchObject({
      id: queued.id,
      attempts: 1,
      last_status_code: 204,
      last_error: null,
    });
    expect(done!.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('pages newest first, filters by status, and refuses a foreign cursor', async () => {
    const hook = await createWebhook(alice, receiver.url);
    const pinged: string[] = [];
    for (let i = 0; i < 3; i++) {
      pinged.push(
        (await expectStatus<DeliveryJson>(await alice.post(`/webhooks/${hook.id}/ping`), 202)).id,
      );
    }
    await waitForDeliveries(
      alice,
      hook.id,
      (items) => items.every((d) => d.status === 'succeeded') && items.length === 3,
    );
    const first = await deliveriesOf(alice, hook.id, '?limit=2');
    expect(first.items.map((d) => d.id)).toEqual([pinged[2], pinged[1]]);
    expect(first.next_cursor).not.toBeNull();
    const second = await deliveriesOf(alice, hook.id, `?limit=2&cursor=${first.next_cursor}`);
    expect(second.items.map((d) => d.id)).toEqual([pinged[0]]);
    expect(second.next_cursor).toBeNull();
    expect((await deliveriesOf(alice, hook.id, '?status=failed')).items).toEqual([]);
    expect((await deliveriesOf(alice, hook.id, '?status=succeeded')).items).toHaveLength(3);
    await expectProblem(
      await alice.get(`/webhooks/${hook.id}/deliveries?cursor=bogus`),
      400,
      'validation_failed',
    );
    await expectProblem(
      await alice.get(`/webhooks/${hook.id}/deliveries?status=lost`),
      400,
      'validation_failed',
    );
    await expectProblem(
      await alice.get(`/webhooks/${hook.id}/deliveries?limit=0`),
      400,
      'validation_failed',
    );
  });

  it('redelivers a failed delivery with the same webhook-id (202)', async () => {
    const failing = await LocalReceiver.start();
    try {
      failing.status = (index) => (index < 3 ? 500 : 200);
      const hook = await createWebhook(alice, failing.url);
      const ping = await expectStatus<DeliveryJson>(
        await alice.post(`/webhooks/${hook.id}/ping`),
        202,
      );
      // The test transport retries twice: three attempts, all answered 500.
      const [failed] = await waitForDeliveries(alice, hook.id, ([d]) => d?.status === 'failed');
      expect(failed).toMatchObject({ attempts: 3, last_status_code: 500, last_error: 'HTTP 500' });
      expect(failed!.next_attempt_at).toBeNull();

      const res = await alice.post(`/webhooks/${hook.id}/deliveries/${ping.id}/redeliver`);
      expect(await expectStatus<DeliveryJson>(res, 202)).toMatchObject({
        id: ping.id,
        status: 'pending',
      });
      const [done] = await waitForDeliveries(alice, hook.id, ([d]) => d?.status === 'succeeded');
      expect(done).toMatchObject({ id: ping.id, attempts: 4, last_status_code: 200 });
      const ids = (await failing.waitFor(4)).map((d) => d.headers['webhook-id']);
      expect(new Set(ids)).toEqual(new Set([ping.id]));

      await expectProblem(
        await alice.post(`/webhooks/${hook.id}/deliveries/${NO_SUCH_ID}/redeliver`),
        404,
      );
      await expectProblem(
        await bob.post(`/webhooks/${hook.id}/deliveries/${ping.id}/redeliver`),
        404,
      );
    } finally {
      await failing.close();
    }
  });
});

describe('task events', () => {
  it('delivers the owner’s own actions and the assignee’s view of them', async () => {
    const ownerHooks = await LocalReceiver.start();
    const assigneeHooks = await LocalReceiver.start();
    try {
      const owner = await freshUser();
      const assignee = new TasksClient(t, await verifiedUser(t));
      const stranger = await freshUser();
      await createWebhook(owner, ownerHooks.url, ['task.assigned']);
      await createWebhook(assignee, assigneeHooks.url, ['*']);
      const strangerHooks = await createWebhook(stranger, ownerHooks.url, ['*']);
      const task = await owner.createTask();
      await expectStatus(
        await owner.put(`/tasks/${task.id}/assignee`, { assignee_id: assignee.id }),
        200,
      );

      const [toOwner] = await ownerHooks.waitFor(1);
      expect(toOwner!.json).toMatchObject({
        type: 'task.assigned',
        data: {
          type: 'task.assigned',
          task_id: task.id,
          project_id: task.project_id,
          actor_id: owner.id,
          data: { title: task.title, assignee_id: assignee.id, previous_assignee_id: null },
        },
      });
      const [toAssignee] = await assigneeHooks.waitFor(1);
      expect(toAssignee!.json.data.id).toBe(toOwner!.json.data.id);
      expect((await deliveriesOf(stranger, strangerHooks.id)).items).toEqual([]);
    } finally {
      await ownerHooks.close();
      await assigneeHooks.close();
    }
  });
});

/** Waits until the worker's relay has handled every event of the task. */
async function relayed(taskId: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const waiting = await sql(
      t,
      'select id from outbox_events where task_id = ? and processed_at is null',
      [taskId],
    );
    if (waiting.length === 0) return;
    if (Date.now() > deadline) throw new Error(`events of ${taskId} never relayed`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('shared projects', () => {
  it('refuses project_id of a project the caller is not a member of (404)', async () => {
    const { project, stranger } = await team(t);
    await expectProblem(
      await stranger.post('/webhooks', {
        url: receiver.url,
        events: ['*'],
        project_id: project.id,
      }),
      404,
      'not_found',
    );
  });

  it('a member’s project-scoped webhook gets other members’ actions, then its removal, then nothing', async () => {
    const hooks = await LocalReceiver.start();
    try {
      const { project, owner, editor, viewer } = await team(t);
      const created = await expectStatus<WebhookJson>(
        await viewer.post('/webhooks', {
          url: hooks.url,
          events: ['task.status_changed', 'project.member_removed'],
          project_id: project.id,
        }),
        201,
      );
      expect(created.project_id).toBe(project.id);
      const task = await taskInProject(owner, project.id);
      await patchTask(t, editor.user, task.id, { status: 'in_progress' });
      const [changed] = await hooks.waitFor(1);
      expect(changed!.json).toMatchObject({
        type: 'task.status_changed',
        data: { task_id: task.id, project_id: project.id, actor_id: editor.id },
      });

      await expectStatus(await owner.del(`/projects/${project.id}/members/${viewer.id}`), 204);
      const [, removed] = await hooks.waitFor(2);
      expect(removed!.json).toMatchObject({
        type: 'project.member_removed',
        data: {
          task_id: null,
          project_id: project.id,
          actor_id: owner.id,
          data: { project_id: project.id, project_name: project.name, user_id: viewer.id },
        },
      });

      await patchTask(t, editor.user, task.id, { status: 'completed' });
      await relayed(task.id);
      const ping = await expectStatus<DeliveryJson>(
        await viewer.post(`/webhooks/${created.id}/ping`),
        202,
      );
      // The later status change was relayed before the ping: the ping is all that arrives.
      const [, , last] = await hooks.waitFor(3);
      expect(last!.headers['webhook-id']).toBe(ping.id);
      const { items } = await deliveriesOf(viewer, created.id);
      expect(items.map((d) => d.type)).toEqual([
        'webhook.ping',
        'project.member_removed',
        'task.status_changed',
      ]);
    } finally {
      await hooks.close();
    }
  });
});
