import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasksDb } from '../../../src/modules/tasks/adapters/persistence/tasks-db.ts';
import type { ProjectRole } from '../../../src/modules/tasks/domain/project-role.ts';
import { bearer, register } from '../../support/identity/http-client.ts';
import { fileOfSize, samples } from '../../support/tasks/file-samples.ts';
import {
  API,
  createTasksTestApp,
  expectProblem,
  TasksClient,
  type TasksTestApp,
} from '../../support/tasks/http-tasks.ts';
import { multipartFraming, multipartType } from '../../support/tasks/multipart.ts';
import { setRole, sharedProject } from '../../support/tasks/shared-projects.ts';

/**
 * A member's role changing, or the member being removed, while they write: the write either
 * commits before the change (and stays) or is refused, never committed on a right that was gone.
 * The membership change is made straight in the table, as the member routes make it: an UPDATE
 * or a DELETE of the membership row in its own transaction.
 */

let t: TasksTestApp;
let dir: string;
let owner: TasksClient;
let member: TasksClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'project-access-race-'));
  t = await createTasksTestApp({ STORAGE_DIR: dir });
  const [o, m] = await Promise.all([register(t), register(t)]);
  owner = new TasksClient(t, o);
  member = new TasksClient(t, m);
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

async function projectWithTask() {
  const projectId = await sharedProject(t, [
    [owner.id, 'owner'],
    [member.id, 'editor'],
  ]);
  const task = await owner.createTask({ project_id: projectId, title: 'Contended task' });
  return { projectId, task };
}

/**
 * Changes (or, with `null`, removes) the membership in a transaction that stays open until
 * `finish` is called, holding the row lock as a slow member route would; `finish(false)` rolls
 * back.
 */
async function openMembershipChange(projectId: string, userId: string, role: ProjectRole | null) {
  const em = t.container.orm.em.fork();
  let finish!: (commit: boolean) => void;
  const decided = new Promise<boolean>((resolve) => (finish = resolve));
  let changed!: () => void;
  const held = new Promise<void>((resolve) => (changed = resolve));
  const done = em
    .transactional(async (tx) => {
      const db = tasksDb(tx);
      const row = db
        .selectFrom('project_members')
        .where('project_id', '=', projectId)
        .where('user_id', '=', userId);
      if (role === null) {
        await db
          .deleteFrom('project_members')
          .where('project_id', '=', projectId)
          .where('user_id', '=', userId)
          .execute();
      } else {
        await db
          .updateTable('project_members')
          .set({ role })
          .where('project_id', '=', projectId)
          .where('user_id', '=', userId)
          .execute();
      }
      expect(await row.select('role').execute()).toHaveLength(role === null ? 0 : 1);
      changed();
      if (!(await decided)) throw new RolledBack();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RolledBack)) throw error;
    });
  await held;
  return {
    finish: async (commit: boolean) => {
      finish(commit);
      await done;
    },
  };
}

class RolledBack extends Error {}

/** Waits until a statement of the app is blocked on a lock another transaction holds. */
async function someoneWaitsForALock(): Promise<void> {
  const em = t.container.orm.em.fork();
  for (let i = 0; i < 500; i++) {
    const rows = await em.getConnection().execute<Array<{ n: number }>>(
      `select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`,
    );
    if ((rows[0]?.n ?? 0) > 0) return;
    await sleep(10);
  }
  throw new Error('no statement ever waited for the membership lock');
}

describe('a role lowered to viewer while the member changes a task', () => {
  it('refuses the change (403) when the lowering commits while the write waits for it', async () => {
    const { projectId, task } = await projectWithTask();
    const change = await openMembershipChange(projectId, member.id, 'viewer');
    const patch = member.patch(`/tasks/${task.id}`, { title: 'Written by a viewer?', version: 1 });
    await someoneWaitsForALock();
    await change.finish(true);
    await expectProblem(await patch, 403, 'forbidden');
    expect(await owner.task(task.id)).toEqual(task);
  });

  it('lets the change through when the lowering rolls back', async () => {
    const { projectId, task } = await projectWithTask();
    const change = await openMembershipChange(projectId, member.id, 'viewer');
    const patch = member.patch(`/tasks/${task.id}`, { title: 'Written by an editor', version: 1 });
    await someoneWaitsForALock();
    await change.finish(false);
    expect((await patch).status).toBe(200);
    expect(await owner.task(task.id)).toMatchObject({ title: 'Written by an editor', version: 2 });
  });

  it('never leaves a viewer’s write behind, however the two interleave', async () => {
    for (let i = 0; i < 15; i++) {
      const { projectId, task } = await projectWithTask();
      const [res] = await Promise.all([
        member.patch(`/tasks/${task.id}`, { title: `Race ${i}`, version: 1 }),
        sleep(i % 5).then(() => setRole(t, projectId, member.id, 'viewer')),
      ]);
      const after = await owner.task(task.id);
      if (res.status === 200) {
        expect(after).toMatchObject({ title: `Race ${i}`, version: 2 });
      } else {
        await expectProblem(res, 403, 'forbidden');
        expect(after).toEqual(task);
      }
      // Whatever happened before, the viewer can write no more.
      await expectProblem(
        await member.patch(`/tasks/${task.id}`, { title: 'Too late', version: after.version }),
        403,
      );
    }
  });
});

/** A request body the test writes piece by piece, so it can act while the server is reading it. */
function controlledBody() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return {
    stream,
    send: (bytes: Uint8Array) => controller.enqueue(bytes),
    end: () => controller.close(),
  };
}

/** Waits (bounded) until storage has written bytes of an upload: access was checked by then. */
async function uploadInProgress(): Promise<void> {
  for (let i = 0; i < 500; i++) {
    for (const name of await readdir(dir)) {
      if (name.startsWith('.upload-') && (await stat(join(dir, name))).size > 0) return;
    }
    await sleep(10);
  }
  throw new Error('the upload never reached storage');
}

function startUpload(taskId: string) {
  const content = fileOfSize(256 * 1024, samples.png);
  const { heads, tail } = multipartFraming([{ name: 'file', filename: 'contended.png' }]);
  const body = controlledBody();
  const response = t.app.request(
    `${API}/tasks/${taskId}/attachments`,
    bearer(member.user.accessToken, {
      method: 'POST',
      headers: { 'Content-Type': multipartType() },
      body: body.stream,
      duplex: 'half',
    }),
  );
  body.send(Buffer.concat([heads[0] as Buffer, content.subarray(0, 64 * 1024)]));
  return {
    response,
    finish: () => {
      body.send(content.subarray(64 * 1024));
      body.send(tail);
      body.end();
    },
  };
}

async function attachmentRows(taskId: string): Promise<number> {
  const rows = await tasksDb(t.container.orm.em.fork())
    .selectFrom('attachments')
    .select('id')
    .where('task_id', '=', taskId)
    .execute();
  return rows.length;
}

/** Stored blobs: what is left in the storage directory once no upload is in flight. */
const blobs = async () => (await readdir(dir)).filter((name) => !name.startsWith('.upload-'));

describe('a member removed while they upload', () => {
  it('is refused (404) when removed mid-stream, leaving neither a row nor a blob', async () => {
    const { projectId, task } = await projectWithTask();
    const before = await blobs();
    const upload = startUpload(task.id);
    await uploadInProgress();
    await setRole(t, projectId, member.id, null);
    upload.finish();
    await expectProblem(await upload.response, 404, 'not_found');
    expect(await attachmentRows(task.id)).toBe(0);
    expect(await blobs()).toEqual(before);
  });

  it('is refused (404) when the removal commits while the insert waits for it', async () => {
    const { projectId, task } = await projectWithTask();
    const before = await blobs();
    const removal = await openMembershipChange(projectId, member.id, null);
    const upload = startUpload(task.id);
    upload.finish();
    await someoneWaitsForALock();
    await removal.finish(true);
    await expectProblem(await upload.response, 404, 'not_found');
    expect(await attachmentRows(task.id)).toBe(0);
    expect(await blobs()).toEqual(before);
  });

  it('stores the file when the removal rolls back: the row, its blob, the member entitled', async () => {
    const { projectId, task } = await projectWithTask();
    const before = await blobs();
    const removal = await openMembershipChange(projectId, member.id, null);
    const upload = startUpload(task.id);
    upload.finish();
    await someoneWaitsForALock();
    await removal.finish(false);
    expect((await upload.response).status).toBe(201);
    expect(await attachmentRows(task.id)).toBe(1);
    expect((await blobs()).length).toBe(before.length + 1);
    expect((await member.attachments(task.id)).map((a) => a.filename)).toEqual(['contended.png']);
  });
});

async function commentedEvents(taskId: string): Promise<number> {
  const rows = await tasksDb(t.container.orm.em.fork())
    .selectFrom('outbox_events')
    .select('id')
    .where('task_id', '=', taskId)
    .where('type', '=', 'task.commented')
    .execute();
  return rows.length;
}

describe('a member removed while they comment', () => {
  it('is refused (404) when the removal commits while the comment waits for it', async () => {
    const { projectId, task } = await projectWithTask();
    const removal = await openMembershipChange(projectId, member.id, null);
    const comment = member.post(`/tasks/${task.id}/comments`, { body: 'Said too late' });
    await someoneWaitsForALock();
    await removal.finish(true);
    await expectProblem(await comment, 404, 'not_found');
    expect(await owner.comments(task.id)).toEqual([]);
    expect(await commentedEvents(task.id)).toBe(0);
    expect(await owner.task(task.id)).toEqual(task);
  });

  it('comments when the removal rolls back: the comment, its event, the author entitled', async () => {
    const { projectId, task } = await projectWithTask();
    const removal = await openMembershipChange(projectId, member.id, null);
    const comment = member.post(`/tasks/${task.id}/comments`, { body: 'Said in time' });
    await someoneWaitsForALock();
    await removal.finish(false);
    expect((await comment).status).toBe(201);
    expect((await owner.comments(task.id)).map((c) => c.body)).toEqual(['Said in time']);
    expect(await commentedEvents(task.id)).toBe(1);
    expect((await member.comments(task.id)).map((c) => c.body)).toEqual(['Said in time']);
  });
});

describe('a member’s standing changing while they delete an attachment', () => {
  async function projectWithFile() {
    const { projectId, task } = await projectWithTask();
    const file = await owner.attach(task.id, fileOfSize(1024, samples.png), 'kept.png');
    return { projectId, task, file, before: await blobs() };
  }

  it('is refused (404) when a removal commits while the deletion waits for it', async () => {
    const { projectId, task, file, before } = await projectWithFile();
    const removal = await openMembershipChange(projectId, member.id, null);
    const deletion = member.del(`/tasks/${task.id}/attachments/${file.id}`);
    await someoneWaitsForALock();
    await removal.finish(true);
    await expectProblem(await deletion, 404, 'not_found');
    expect(await owner.attachments(task.id)).toEqual([file]);
    expect(await blobs()).toEqual(before);
  });

  it('is refused (403) when a lowering to viewer commits while the deletion waits for it', async () => {
    const { projectId, task, file, before } = await projectWithFile();
    const lowering = await openMembershipChange(projectId, member.id, 'viewer');
    const deletion = member.del(`/tasks/${task.id}/attachments/${file.id}`);
    await someoneWaitsForALock();
    await lowering.finish(true);
    await expectProblem(await deletion, 403, 'forbidden');
    expect(await owner.attachments(task.id)).toEqual([file]);
    expect(await blobs()).toEqual(before);
  });

  it('deletes, row and blob, when the removal rolls back', async () => {
    const { projectId, task, file, before } = await projectWithFile();
    const removal = await openMembershipChange(projectId, member.id, null);
    const deletion = member.del(`/tasks/${task.id}/attachments/${file.id}`);
    await someoneWaitsForALock();
    await removal.finish(false);
    expect((await deletion).status).toBe(204);
    expect(await owner.attachments(task.id)).toEqual([]);
    expect((await blobs()).length).toBe(before.length - 1);
  });
});
