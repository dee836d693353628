import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  projectState,
  roleIn,
  sql,
  taskInProject,
  team,
  type MemberJson,
} from '../../support/tasks/http-projects.ts';
import {
  adminUser,
  createTasksTestApp,
  expectProblem,
  expectStatus,
  inHours,
  TasksClient,
  verifiedUser,
  type TaskJson,
  type TasksTestApp,
} from '../../support/tasks/http-tasks.ts';

let t: TasksTestApp;

beforeAll(async () => {
  t = await createTasksTestApp();
});
afterAll(() => t.close());

describe('GET /projects/{id}/members', () => {
  it('lists every member, oldest first, to any member; a stranger does not see the project', async () => {
    const { project, owner, admin, editor, viewer, stranger } = await team(t);
    const res = await viewer.get(`/projects/${project.id}/members`);
    const { items } = await expectStatus<{ items: MemberJson[] }>(res, 200);
    expect(items[0]).toMatchObject({ user_id: owner.id, role: 'owner', email: owner.user.email });
    expect(new Map(items.map((m) => [m.user_id, m.role]))).toEqual(
      new Map([
        [owner.id, 'owner'],
        [admin.id, 'admin'],
        [editor.id, 'editor'],
        [viewer.id, 'viewer'],
      ]),
    );
    await expectProblem(await stranger.get(`/projects/${project.id}/members`), 404, 'not_found');
  });
});

describe('PATCH /projects/{id}/members/{user_id}', () => {
  it('lets an admin change a role below the owner, and demote another admin', async () => {
    const { project, owner, admin, editor } = await team(t);
    const res = await admin.patch(`/projects/${project.id}/members/${editor.id}`, {
      role: 'viewer',
    });
    expect(await expectStatus<MemberJson>(res, 200)).toMatchObject({
      user_id: editor.id,
      role: 'viewer',
    });
    await expectStatus(
      await owner.patch(`/projects/${project.id}/members/${editor.id}`, { role: 'admin' }),
      200,
    );
    await expectStatus(
      await admin.patch(`/projects/${project.id}/members/${editor.id}`, { role: 'editor' }),
      200,
    );
    expect(await roleIn(t, project.id, editor.id)).toBe('editor');
  });

  it('refuses an editor, the owner as target, owner as a role, and a stranger, changing nothing', async () => {
    const { project, owner, admin, editor, viewer, stranger } = await team(t);
    const before = await projectState(t, project.id);
    const path = (userId: string) => `/projects/${project.id}/members/${userId}`;
    await expectProblem(await editor.patch(path(viewer.id), { role: 'editor' }), 403, 'forbidden');
    await expectProblem(await admin.patch(path(owner.id), { role: 'viewer' }), 403, 'forbidden');
    await expectProblem(
      await admin.patch(path(viewer.id), { role: 'owner' }),
      400,
      'validation_failed',
    );
    await expectProblem(await stranger.patch(path(viewer.id), { role: 'admin' }), 404, 'not_found');
    const notMember = await expectProblem(
      await owner.patch(path(stranger.id), { role: 'admin' }),
      404,
      'not_found',
    );
    expect(notMember.title).toBe('Member not found');
    expect(await projectState(t, project.id)).toEqual(before);
  });

  it('refuses any change in an archived project', async () => {
    const { project, owner, viewer } = await team(t);
    await expectStatus(await owner.post(`/projects/${project.id}/archive`), 200);
    await expectProblem(
      await owner.patch(`/projects/${project.id}/members/${viewer.id}`, { role: 'editor' }),
      403,
      'project_archived',
    );
    expect(await roleIn(t, project.id, viewer.id)).toBe('viewer');
  });
});

describe('DELETE /projects/{id}/members/{user_id}', () => {
  it('lets anyone but the owner leave; the owner gets owner_cannot_leave', async () => {
    const { project, owner, viewer } = await team(t);
    await expectStatus(await viewer.del(`/projects/${project.id}/members/${viewer.id}`), 204);
    await expectProblem(await viewer.get(`/projects/${project.id}`), 404, 'not_found');
    await expectProblem(
      await owner.del(`/projects/${project.id}/members/${owner.id}`),
      409,
      'owner_cannot_leave',
    );
    expect(await roleIn(t, project.id, owner.id)).toBe('owner');
  });

  it('lets an admin remove others below the owner; refuses an editor, and the owner as target', async () => {
    const { project, owner, admin, editor, viewer, stranger } = await team(t);
    const before = await projectState(t, project.id);
    const path = (userId: string) => `/projects/${project.id}/members/${userId}`;
    await expectProblem(await editor.del(path(viewer.id)), 403, 'forbidden');
    await expectProblem(await admin.del(path(owner.id)), 403, 'forbidden');
    await expectProblem(await stranger.del(path(viewer.id)), 404, 'not_found');
    expect(await projectState(t, project.id)).toEqual(before);
    await expectStatus(await admin.del(path(editor.id)), 204);
    expect(await roleIn(t, project.id, editor.id)).toBeUndefined();
    const events = await sql(
      t,
      `select type, actor_id, recipients, payload from outbox_events where project_id = ? and task_id is null`,
      [project.id],
    );
    expect(events).toEqual([
      {
        type: 'project.member_removed',
        actor_id: admin.id,
        recipients: [editor.id],
        payload: { projectName: project.name, userId: editor.id },
      },
    ]);
  });

  it('unassigns the member’s open tasks in that project alone, re-addressing their reminders', async () => {
    const { project, owner, editor } = await team(t);
    const open = await taskInProject(owner, project.id, {
      assignee_id: editor.id,
      due_date: inHours(6),
    });
    const done = await taskInProject(owner, project.id, { assignee_id: editor.id });
    await expectStatus(
      await owner.patch(`/tasks/${done.id}`, { status: 'completed', version: 1 }),
      200,
    );
    const elsewhere = await owner.createTask({ assignee_id: editor.id });

    await expectStatus(await owner.del(`/projects/${project.id}/members/${editor.id}`), 204);

    const rows = await sql<{ id: string; assignee_id: string | null; version: number }>(
      t,
      'select id, assignee_id, version from tasks where id in (?, ?, ?)',
      [open.id, done.id, elsewhere.id],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(open.id)).toMatchObject({ assignee_id: null, version: 2 });
    expect(byId.get(done.id)?.assignee_id).toBe(editor.id);
    expect(byId.get(elsewhere.id)?.assignee_id).toBe(editor.id);

    const [last] = await sql<{ type: string; actor_id: string; recipients: string[] }>(
      t,
      `select type, actor_id, recipients from outbox_events where task_id = ? order by occurred_at desc, id desc limit 1`,
      [open.id],
    );
    expect(last).toEqual({
      type: 'task.reminder_changed',
      actor_id: owner.id,
      recipients: [owner.id],
    });
  });

  it('refuses removals in an archived project', async () => {
    const { project, owner, viewer } = await team(t);
    await expectStatus(await owner.post(`/projects/${project.id}/archive`), 200);
    await expectProblem(
      await viewer.del(`/projects/${project.id}/members/${viewer.id}`),
      403,
      'project_archived',
    );
    expect(await roleIn(t, project.id, viewer.id)).toBe('viewer');
  });
});

describe('assigning a task in a shared project', () => {
  it('refuses anyone but a member (404 naming the rule), on create, assign and patch, changing nothing', async () => {
    const { project, owner, editor, stranger } = await team(t);
    const outsider = new TasksClient(t, await verifiedUser(t));
    const invited = new TasksClient(t, await verifiedUser(t));
    await expectStatus(
      await owner.post(`/projects/${project.id}/invitations`, {
        email: invited.user.email,
        role: 'editor',
      }),
      201,
    );
    const task = await expectStatus<TaskJson>(
      await owner.post('/tasks', { title: 'Shared work', project_id: project.id }),
      201,
    );
    const before = await projectState(t, project.id);
    for (const candidate of [outsider, invited, stranger]) {
      const refusals = [
        await owner.post('/tasks', {
          title: 'Never created',
          project_id: project.id,
          assignee_id: candidate.id,
        }),
        await owner.put(`/tasks/${task.id}/assignee`, { assignee_id: candidate.id }),
        await owner.patch(`/tasks/${task.id}`, { assignee_id: candidate.id, version: 1 }),
      ];
      for (const res of refusals) {
        const problem = await expectProblem(res, 404, 'not_found');
        expect(problem.detail).toBe(
          'The assignee must be an active user with a verified email address and, in a shared project, one of its members.',
        );
      }
    }
    expect(await projectState(t, project.id)).toEqual(before);
    const assigned = await owner.put(`/tasks/${task.id}/assignee`, { assignee_id: editor.id });
    expect((await expectStatus<TaskJson>(assigned, 200)).assignee_id).toBe(editor.id);
  });
});

describe('GET /admin/projects', () => {
  it('lists every project with its owner and counts to a site admin, filtered by q', async () => {
    const { project, owner } = await team(t);
    await taskInProject(owner, project.id);
    const admin = new TasksClient(t, await adminUser(t));
    const res = await admin.get(`/admin/projects?q=${encodeURIComponent(project.name)}`);
    const page = await expectStatus<{
      items: Array<Record<string, unknown>>;
      total: number;
      page: number;
      limit: number;
    }>(res, 200);
    expect(page).toMatchObject({ total: 1, page: 1, limit: 20 });
    expect(page.items[0]).toMatchObject({
      id: project.id,
      is_inbox: false,
      owner: { user_id: owner.id, email: owner.user.email },
      member_count: 4,
      task_count: 1,
    });
    const byOwner = await admin.get(`/admin/projects?q=${encodeURIComponent(owner.user.email)}`);
    const names = (await expectStatus<{ items: Array<{ name: string }> }>(byOwner, 200)).items;
    expect(names.map((p) => p.name).sort()).toEqual(['Inbox', project.name].sort());
  });

  it('is refused to anyone else', async () => {
    const { owner } = await team(t);
    await expectProblem(await owner.get('/admin/projects'), 403, 'forbidden');
  });
});
