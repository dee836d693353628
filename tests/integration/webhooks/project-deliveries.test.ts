import { RequestContext } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patchTask, relayAll, sql } from '../../support/notifications/notifications-kit.ts';
import { createProject, taskInProject, team } from '../../support/tasks/http-projects.ts';
import {
  expectProblem,
  expectStatus,
  TasksClient,
  verifiedUser,
} from '../../support/tasks/http-tasks.ts';
import { LocalReceiver } from '../../support/webhooks/local-receiver.ts';
import {
  createWebhook,
  createWebhooksTestApp,
  type WebhookJson,
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

interface Row {
  id: string;
  type: string;
  status: string;
  last_error: string | null;
  payload: {
    data: {
      task_id: string | null;
      project_id: string | null;
      actor_id: string | null;
      data: Record<string, unknown>;
    };
  };
}

const deliveryRows = (webhookId: string) =>
  sql<Row>(
    t,
    'select id, type, status, last_error, payload from webhook_deliveries where webhook_id = ? order by id',
    [webhookId],
  );

async function scopedWebhook(
  client: TasksClient,
  projectId: string,
  events: string[] = ['*'],
): Promise<WebhookJson & { secret: string }> {
  return expectStatus(
    await client.post('/webhooks', { url: receiver.url, events, project_id: projectId }),
    201,
  );
}

const statusChange = (client: TasksClient, taskId: string, status: string) =>
  patchTask(t, client.user, taskId, { status });

/** One attempt at the delivery, as the worker's job runs it. */
const sendNow = (deliveryId: string) =>
  RequestContext.create(t.container.orm.em, async () =>
    t.container.webhooks.useCases.sendDelivery.execute({ deliveryId, attempt: 1 }),
  );

describe('project_id on a webhook', () => {
  it('is shown, and must name a live project the caller is a member of (404 otherwise)', async () => {
    const { project, viewer, stranger } = await team(t);
    const hook = await scopedWebhook(viewer, project.id);
    expect(hook.project_id).toBe(project.id);
    const shown = await expectStatus<WebhookJson>(await viewer.get(`/webhooks/${hook.id}`), 200);
    expect(shown.project_id).toBe(project.id);
    expect((await createWebhook(viewer, receiver.url)).project_id).toBeNull();

    const body = { url: receiver.url, events: ['*'], project_id: project.id };
    await expectProblem(await stranger.post('/webhooks', body), 404, 'not_found');
    const unknown = { ...body, project_id: '00000000-0000-7000-8000-0000000000aa' };
    await expectProblem(await viewer.post('/webhooks', unknown), 404, 'not_found');
    await sql(t, 'update projects set deleted_at = now() where id = ?', [project.id]);
    await expectProblem(await viewer.post('/webhooks', body), 404, 'not_found');
  });

  it('cannot be changed by PATCH: the scope stays what it was created with', async () => {
    const { project, owner } = await team(t);
    const hook = await scopedWebhook(owner, project.id);
    const other = await createProject(owner);
    const patched = await expectStatus<WebhookJson>(
      await owner.patch(`/webhooks/${hook.id}`, { project_id: other.id, active: true }),
      200,
    );
    expect(patched.project_id).toBe(project.id);
  });
});

describe('deliveries of a shared project’s task events', () => {
  it('a project-scoped webhook gets only that project’s events', async () => {
    const { project, owner } = await team(t);
    const other = await createProject(owner);
    const scoped = await scopedWebhook(owner, project.id);
    const everywhere = await createWebhook(owner, receiver.url);
    const inProject = await taskInProject(owner, project.id);
    const inOther = await taskInProject(owner, other.id);
    const inInbox = await owner.createTask();
    for (const task of [inProject, inOther, inInbox])
      await statusChange(owner, task.id, 'in_progress');
    await relayAll(t);

    const scopedRows = await deliveryRows(scoped.id);
    expect(scopedRows.map((row) => row.payload.data.task_id)).toEqual([inProject.id]);
    expect(scopedRows[0]!.payload.data.project_id).toBe(project.id);
    const all = await deliveryRows(everywhere.id);
    expect(all.map((row) => row.payload.data.task_id).sort()).toEqual(
      [inProject.id, inOther.id, inInbox.id].sort(),
    );
    expect(
      all.find((row) => row.payload.data.task_id === inInbox.id)!.payload.data.project_id,
    ).toBe(inInbox.project_id);
  });

  it('a member’s webhook gets the events of other members’ actions on the project’s tasks', async () => {
    const { project, owner, editor, viewer, stranger } = await team(t);
    const viewers = await createWebhook(viewer, receiver.url, ['task.status_changed']);
    const strangers = await createWebhook(stranger, receiver.url);
    const task = await taskInProject(owner, project.id);
    await statusChange(editor, task.id, 'in_progress');
    await relayAll(t);

    const rows = await deliveryRows(viewers.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      type: 'task.status_changed',
      payload: {
        data: {
          task_id: task.id,
          project_id: project.id,
          actor_id: editor.id,
          data: { from: 'pending', to: 'in_progress' },
        },
      },
    });
    expect(await deliveryRows(strangers.id)).toEqual([]);
  });

  it('after removal from the project: no delivery for its later events, and a pending one fails at send time', async () => {
    const { project, owner, editor, viewer } = await team(t);
    const hook = await createWebhook(viewer, receiver.url);
    const task = await taskInProject(owner, project.id);
    await statusChange(editor, task.id, 'in_progress');
    await relayAll(t);
    const [pending] = await deliveryRows(hook.id);
    expect(pending).toMatchObject({ status: 'pending', type: 'task.status_changed' });

    await expectStatus(await owner.del(`/projects/${project.id}/members/${viewer.id}`), 204);
    await statusChange(editor, task.id, 'completed');
    await relayAll(t);
    // Only the removal itself, which concerns the viewer, is new.
    expect((await deliveryRows(hook.id)).map((row) => row.type)).toEqual([
      'task.status_changed',
      'project.member_removed',
    ]);

    const before = receiver.received.length;
    const outcome = (await sendNow(pending!.id))._unsafeUnwrap();
    expect(outcome).toEqual({
      type: 'failed',
      error: 'the webhook owner can no longer see this task',
      disabledWebhook: false,
    });
    const [failed] = await deliveryRows(hook.id);
    expect(failed).toMatchObject({
      status: 'failed',
      last_error: 'the webhook owner can no longer see this task',
    });
    expect(receiver.received.length).toBe(before);
  });

  it('writes nothing for a member removed between the event and its relay', async () => {
    const { project, owner, editor, viewer } = await team(t);
    const hook = await createWebhook(viewer, receiver.url, ['task.status_changed']);
    const task = await taskInProject(owner, project.id);
    await statusChange(editor, task.id, 'in_progress');
    await sql(t, 'delete from project_members where project_id = ? and user_id = ?', [
      project.id,
      viewer.id,
    ]);
    await relayAll(t);
    expect(await deliveryRows(hook.id)).toEqual([]);
  });
});

describe('project events', () => {
  it('member_added and member_removed reach every member subscribed, and the person concerned', async () => {
    const { project, owner, admin, viewer, stranger } = await team(t);
    const viewers = await createWebhook(viewer, receiver.url, [
      'project.member_added',
      'project.member_removed',
    ]);
    const strangers = await createWebhook(stranger, receiver.url);
    const owners = await scopedWebhook(owner, project.id, ['project.member_removed']);

    await expectStatus(await admin.del(`/projects/${project.id}/members/${viewer.id}`), 204);
    await relayAll(t);
    const [removed] = await deliveryRows(viewers.id);
    expect(removed).toMatchObject({
      type: 'project.member_removed',
      payload: {
        data: {
          task_id: null,
          project_id: project.id,
          actor_id: admin.id,
          data: { project_id: project.id, project_name: project.name, user_id: viewer.id },
        },
      },
    });
    expect((await deliveryRows(owners.id)).map((row) => row.type)).toEqual([
      'project.member_removed',
    ]);
    expect(await deliveryRows(strangers.id)).toEqual([]);

    // The person concerned is still sent the news of their own removal; a pending delivery of a
    // project the owner no longer belongs to (deleted since) is refused.
    expect((await sendNow(removed!.id))._unsafeUnwrap()).toMatchObject({ type: 'succeeded' });
    const [owned] = await deliveryRows(owners.id);
    await sql(t, 'update projects set deleted_at = now() where id = ?', [project.id]);
    expect((await sendNow(owned!.id))._unsafeUnwrap()).toMatchObject({
      type: 'failed',
      error: 'the webhook owner is no longer a member of this project',
    });
    const [failed] = await deliveryRows(owners.id);
    expect(failed!.last_error).toBe('the webhook owner is no longer a member of this project');
  });

  it('project.invited reaches the invitee’s webhook and the inviter’s, not the other members’', async () => {
    const { project, owner, editor } = await team(t);
    // Only an account that proved it owns the address is told of an invitation.
    const stranger = new TasksClient(t, await verifiedUser(t));
    const invitees = await createWebhook(stranger, receiver.url, ['project.invited']);
    const owners = await createWebhook(owner, receiver.url, ['project.invited']);
    const editors = await createWebhook(editor, receiver.url);
    const invitation = await expectStatus<{ id: string }>(
      await owner.post(`/projects/${project.id}/invitations`, {
        email: stranger.user.email,
        role: 'viewer',
      }),
      201,
    );
    await relayAll(t);
    const expected = {
      type: 'project.invited',
      payload: {
        data: {
          project_id: project.id,
          actor_id: owner.id,
          data: {
            project_id: project.id,
            project_name: project.name,
            role: 'viewer',
            invitation_id: invitation.id,
          },
        },
      },
    };
    expect(await deliveryRows(invitees.id)).toMatchObject([expected]);
    expect(await deliveryRows(owners.id)).toMatchObject([expected]);
    expect(await deliveryRows(editors.id)).toEqual([]);
  });
});
