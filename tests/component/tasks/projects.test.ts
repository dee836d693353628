import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, json, register } from '../../support/identity/http-client.ts';
import {
  addMember,
  createProject,
  projectState,
  roleIn,
  sql,
  taskInProject,
  team,
  type ProjectJson,
  type ProjectListJson,
} from '../../support/tasks/http-projects.ts';
import {
  API,
  createTasksTestApp,
  expectProblem,
  expectStatus,
  fieldsOf,
  inHours,
  NO_SUCH_ID,
  TasksClient,
  type TasksTestApp,
} from '../../support/tasks/http-tasks.ts';

let t: TasksTestApp;

beforeAll(async () => {
  t = await createTasksTestApp();
});
afterAll(() => t.close());

const ETAG = (version: number) => new RegExp(`^W/"${version}\\.[0-9a-f]{16}"$`);

async function newClient() {
  return new TasksClient(t, await register(t));
}

async function inboxOf(client: TasksClient): Promise<ProjectJson> {
  const list = await expectStatus<ProjectListJson>(await client.get('/projects'), 200);
  const inbox = list.items[0];
  expect(inbox?.is_inbox).toBe(true);
  return inbox!;
}

function send(
  client: TasksClient,
  method: string,
  path: string,
  headers: Record<string, string>,
  payload?: unknown,
) {
  const init: RequestInit =
    payload === undefined
      ? { method, headers }
      : { ...json(payload), method, headers: { 'Content-Type': 'application/json', ...headers } };
  return t.app.request(`${API}${path}`, bearer(client.user.accessToken, init));
}

describe('POST /projects', () => {
  it('creates a project owned by the caller, with Location and ETag', async () => {
    const owner = await newClient();
    const res = await owner.post('/projects', {
      name: '  Launch  ',
      description: 'The spring launch',
      color: '#1E90FF',
    });
    const project = await expectStatus<ProjectJson>(res, 201);
    expect(project).toMatchObject({
      name: 'Launch',
      description: 'The spring launch',
      color: '#1E90FF',
      is_inbox: false,
      archived_at: null,
      my_role: 'owner',
      member_count: 1,
      task_count: 0,
      version: 1,
    });
    expect(res.headers.get('location')).toBe(`/api/v1/projects/${project.id}`);
    expect(res.headers.get('etag')).toMatch(ETAG(1));
    const read = await owner.get(`/projects/${project.id}`);
    expect(await expectStatus<ProjectJson>(read, 200)).toEqual(project);
  });

  it('creates one project for a retry with the same Idempotency-Key', async () => {
    const owner = await newClient();
    const key = `create-project-${owner.id}`;
    const create = () =>
      t.app.request(
        `${API}/projects`,
        bearer(owner.user.accessToken, json({ name: 'Once' }, { 'Idempotency-Key': key })),
      );
    const first = await expectStatus<ProjectJson>(await create(), 201);
    const retry = await create();
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await expectStatus<ProjectJson>(retry, 201)).toEqual(first);
    const list = await expectStatus<ProjectListJson>(await owner.get('/projects'), 200);
    expect(list.items.filter((p) => p.name === 'Once')).toHaveLength(1);
  });

  it('refuses a blank name and a bad colour in one 400', async () => {
    const owner = await newClient();
    const problem = await expectProblem(
      await owner.post('/projects', { name: '   ', color: 'blue' }),
      400,
      'validation_failed',
    );
    expect(fieldsOf(problem).sort()).toEqual(['color', 'name']);
  });
});

describe('GET /projects', () => {
  it('lists the Inbox first, then newest first, and pages by cursor without repeats', async () => {
    const owner = await newClient();
    for (let i = 0; i < 4; i++) await createProject(owner, { name: `P${i}` });
    const other = await newClient();
    const shared = await createProject(other, { name: 'Shared with me' });
    await addMember(t, shared.id, owner.id, 'viewer');

    const all = await expectStatus<ProjectListJson>(await owner.get('/projects?limit=100'), 200);
    expect(all.next_cursor).toBeNull();
    expect(all.items[0]?.is_inbox).toBe(true);
    expect(all.items.slice(1).map((p) => p.name)).toEqual([
      'Shared with me',
      'P3',
      'P2',
      'P1',
      'P0',
    ]);
    expect(all.items[1]).toMatchObject({ my_role: 'viewer', member_count: 2 });

    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${cursor}`;
      const page = await expectStatus<ProjectListJson>(await owner.get(`/projects${query}`), 200);
      expect(page.items.length).toBeLessThanOrEqual(2);
      walked.push(...page.items.map((p) => p.id));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(walked).toEqual(all.items.map((p) => p.id));
    expect(new Set(walked).size).toBe(walked.length);
  });

  it('lists archived projects only with archived=true, never the Inbox', async () => {
    const owner = await newClient();
    const kept = await createProject(owner);
    const archived = await createProject(owner);
    await expectStatus(await owner.post(`/projects/${archived.id}/archive`), 200);

    const active = await expectStatus<ProjectListJson>(await owner.get('/projects'), 200);
    expect(active.items.map((p) => p.id)).toEqual([(await inboxOf(owner)).id, kept.id]);
    const only = await expectStatus<ProjectListJson>(
      await owner.get('/projects?archived=true'),
      200,
    );
    expect(only.items.map((p) => p.id)).toEqual([archived.id]);
  });

  it('counts live tasks only', async () => {
    const owner = await newClient();
    const project = await createProject(owner);
    const [a] = [await taskInProject(owner, project.id), await taskInProject(owner, project.id)];
    await sql(t, 'update tasks set deleted_at = now() where id = ?', [a.id]);
    expect(
      (await expectStatus<ProjectJson>(await owner.get(`/projects/${project.id}`), 200)).task_count,
    ).toBe(1);
  });

  it('refuses a cursor it did not hand out', async () => {
    const owner = await newClient();
    const problem = await expectProblem(
      await owner.get('/projects?cursor=bm90LWEtY3Vyc29y'),
      400,
      'validation_failed',
    );
    expect(fieldsOf(problem)).toEqual(['cursor']);
  });
});

describe('GET /projects/{id}', () => {
  it('answers 304 to If-None-Match while nothing in it changed', async () => {
    const owner = await newClient();
    const project = await createProject(owner);
    const etag = (await owner.get(`/projects/${project.id}`)).headers.get('etag') ?? '';
    expect(etag).toMatch(ETAG(1));
    const hit = await send(owner, 'GET', `/projects/${project.id}`, { 'If-None-Match': etag });
    expect(hit.status).toBe(304);
    expect(await hit.text()).toBe('');
    await taskInProject(owner, project.id);
    const moved = await send(owner, 'GET', `/projects/${project.id}`, { 'If-None-Match': etag });
    expect((await expectStatus<ProjectJson>(moved, 200)).task_count).toBe(1);
  });

  it('is not found for a non-member and for an unknown id', async () => {
    const { project, stranger } = await team(t);
    await expectProblem(await stranger.get(`/projects/${project.id}`), 404, 'not_found');
    await expectProblem(await stranger.get(`/projects/${NO_SUCH_ID}`), 404, 'not_found');
  });
});

describe('PATCH /projects/{id}', () => {
  it('lets an admin rename with the version, and moves the version', async () => {
    const { project, admin } = await team(t);
    const res = await admin.patch(`/projects/${project.id}`, {
      name: 'Renamed',
      color: null,
      version: 1,
    });
    const updated = await expectStatus<ProjectJson>(res, 200);
    expect(updated).toMatchObject({ name: 'Renamed', color: null, version: 2, my_role: 'admin' });
    expect(res.headers.get('etag')).toMatch(ETAG(2));
  });

  it('refuses an editor (403) and a non-member (404), leaving the project as it was', async () => {
    const { project, editor, stranger } = await team(t);
    const before = await projectState(t, project.id);
    const body = { name: 'Taken over', version: 1 };
    await expectProblem(await editor.patch(`/projects/${project.id}`, body), 403, 'forbidden');
    await expectProblem(await stranger.patch(`/projects/${project.id}`, body), 404, 'not_found');
    expect(await projectState(t, project.id)).toEqual(before);
  });

  it('refuses the Inbox with personal_project', async () => {
    const owner = await newClient();
    const inbox = await inboxOf(owner);
    await expectProblem(
      await owner.patch(`/projects/${inbox.id}`, { name: 'Mine', version: inbox.version }),
      403,
      'personal_project',
    );
  });

  it('refuses an archived project with project_archived', async () => {
    const { project, owner } = await team(t);
    const archived = await expectStatus<ProjectJson>(
      await owner.post(`/projects/${project.id}/archive`),
      200,
    );
    const before = await projectState(t, project.id);
    await expectProblem(
      await owner.patch(`/projects/${project.id}`, { name: 'No', version: archived.version }),
      403,
      'project_archived',
    );
    expect(await projectState(t, project.id)).toEqual(before);
  });

  it('answers a stale version with 409 and a stale If-Match with 412, both with current_version', async () => {
    const owner = await newClient();
    const project = await createProject(owner);
    await expectStatus(
      await owner.patch(`/projects/${project.id}`, { name: 'Two', version: 1 }),
      200,
    );
    const conflict = await expectProblem(
      await owner.patch(`/projects/${project.id}`, { name: 'Three', version: 1 }),
      409,
      'version_conflict',
    );
    expect(conflict.current_version).toBe(2);
    expect(conflict.title).toBe('The project changed since you read it');
    const failed = await expectProblem(
      await send(
        owner,
        'PATCH',
        `/projects/${project.id}`,
        { 'If-Match': 'W/"1"' },
        { name: 'Three' },
      ),
      412,
      'precondition_failed',
    );
    expect(failed.current_version).toBe(2);
    const ok = await send(
      owner,
      'PATCH',
      `/projects/${project.id}`,
      { 'If-Match': 'W/"2"' },
      { name: 'Three' },
    );
    expect((await expectStatus<ProjectJson>(ok, 200)).name).toBe('Three');
  });

  it('needs a version or If-Match', async () => {
    const owner = await newClient();
    const project = await createProject(owner);
    const problem = await expectProblem(
      await owner.patch(`/projects/${project.id}`, { name: 'x' }),
      400,
      'validation_failed',
    );
    expect(fieldsOf(problem)).toEqual(['version']);
  });
});

describe('archive and unarchive', () => {
  it('lets an admin archive and unarchive; an editor is refused; the Inbox cannot be', async () => {
    const { project, admin, editor, owner } = await team(t);
    await expectProblem(await editor.post(`/projects/${project.id}/archive`), 403, 'forbidden');
    const archived = await expectStatus<ProjectJson>(
      await admin.post(`/projects/${project.id}/archive`),
      200,
    );
    expect(archived.archived_at).not.toBeNull();
    expect(archived.version).toBe(2);
    await expectProblem(await editor.post(`/projects/${project.id}/unarchive`), 403, 'forbidden');
    const back = await expectStatus<ProjectJson>(
      await admin.post(`/projects/${project.id}/unarchive`),
      200,
    );
    expect(back).toMatchObject({ archived_at: null, version: 3 });
    const inbox = await inboxOf(owner);
    await expectProblem(await owner.post(`/projects/${inbox.id}/archive`), 403, 'personal_project');
    await expectProblem(
      await owner.post(`/projects/${inbox.id}/unarchive`),
      403,
      'personal_project',
    );
  });

  it('is not found for a non-member, and nothing changes', async () => {
    const { project, stranger } = await team(t);
    const before = await projectState(t, project.id);
    await expectProblem(await stranger.post(`/projects/${project.id}/archive`), 404, 'not_found');
    expect(await projectState(t, project.id)).toEqual(before);
  });
});

describe('DELETE /projects/{id}', () => {
  it('soft-deletes the project and its tasks and calls their reminders off, in one go', async () => {
    const { project, owner, editor } = await team(t);
    const reminded = await taskInProject(owner, project.id, { due_date: inHours(5) });
    const plain = await taskInProject(owner, project.id);
    await expectStatus(await owner.del(`/projects/${project.id}`), 204);

    await expectProblem(await owner.get(`/projects/${project.id}`), 404, 'not_found');
    await expectProblem(await editor.get(`/projects/${project.id}`), 404, 'not_found');
    const rows = await sql<{ id: string; deleted: boolean; version: number }>(
      t,
      'select id, deleted_at is not null as deleted, version from tasks where id in (?, ?) order by id',
      [reminded.id, plain.id],
    );
    expect(rows.every((r) => r.deleted && r.version === 2)).toBe(true);
    await expectProblem(await owner.get(`/tasks/${reminded.id}`), 404, 'not_found');

    const events = await sql<{
      task_id: string;
      type: string;
      payload: { reminderAt: string | null };
    }>(
      t,
      `select task_id, type, payload from outbox_events where task_id in (?, ?) and type = 'task.reminder_changed' order by occurred_at, id`,
      [reminded.id, plain.id],
    );
    // Creating the reminded task wrote the first; deleting it, the last. The plain one had none.
    expect(events.map((e) => e.task_id)).toEqual([reminded.id, reminded.id]);
    expect(events.at(-1)?.payload.reminderAt).toBeNull();
  });

  it('is the owner’s alone: an admin is refused, a stranger does not see it', async () => {
    const { project, admin, stranger } = await team(t);
    await taskInProject(admin, project.id);
    const before = await projectState(t, project.id);
    await expectProblem(await admin.del(`/projects/${project.id}`), 403, 'forbidden');
    await expectProblem(await stranger.del(`/projects/${project.id}`), 404, 'not_found');
    expect(await projectState(t, project.id)).toEqual(before);
  });

  it('refuses the Inbox with personal_project', async () => {
    const owner = await newClient();
    const inbox = await inboxOf(owner);
    await expectProblem(await owner.del(`/projects/${inbox.id}`), 403, 'personal_project');
  });
});

describe('POST /projects/{id}/transfer', () => {
  it('makes the member the owner and the caller an admin', async () => {
    const { project, owner, editor } = await team(t);
    const res = await owner.post(`/projects/${project.id}/transfer`, { user_id: editor.id });
    expect((await expectStatus<ProjectJson>(res, 200)).my_role).toBe('admin');
    expect(await roleIn(t, project.id, editor.id)).toBe('owner');
    expect(await roleIn(t, project.id, owner.id)).toBe('admin');
    const asNewOwner = await expectStatus<ProjectJson>(
      await editor.get(`/projects/${project.id}`),
      200,
    );
    expect(asNewOwner.my_role).toBe('owner');
  });

  it('is the owner’s alone, to a member other than themself', async () => {
    const { project, owner, admin, stranger } = await team(t);
    const before = await projectState(t, project.id);
    await expectProblem(
      await admin.post(`/projects/${project.id}/transfer`, { user_id: admin.id }),
      403,
      'forbidden',
    );
    await expectProblem(
      await stranger.post(`/projects/${project.id}/transfer`, { user_id: stranger.id }),
      404,
      'not_found',
    );
    const notMember = await expectProblem(
      await owner.post(`/projects/${project.id}/transfer`, { user_id: stranger.id }),
      404,
      'not_found',
    );
    expect(notMember.title).toBe('Member not found');
    const self = await expectProblem(
      await owner.post(`/projects/${project.id}/transfer`, { user_id: owner.id }),
      400,
      'validation_failed',
    );
    expect(fieldsOf(self)).toEqual(['user_id']);
    expect(await projectState(t, project.id)).toEqual(before);
  });

  it('refuses the Inbox and an archived project', async () => {
    const { project, owner, admin } = await team(t);
    const inbox = await inboxOf(owner);
    await expectProblem(
      await owner.post(`/projects/${inbox.id}/transfer`, { user_id: admin.id }),
      403,
      'personal_project',
    );
    await expectStatus(await owner.post(`/projects/${project.id}/archive`), 200);
    await expectProblem(
      await owner.post(`/projects/${project.id}/transfer`, { user_id: admin.id }),
      403,
      'project_archived',
    );
    expect(await roleIn(t, project.id, owner.id)).toBe('owner');
  });
});
