import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, register } from '../../support/identity/http-client.ts';
import { fileOfSize, samples } from '../../support/tasks/file-samples.ts';
import {
  API,
  createTasksTestApp,
  expectProblem,
  TasksClient,
  verifiedUser,
  type TasksTestApp,
} from '../../support/tasks/http-tasks.ts';
import { multipartFraming, multipartType } from '../../support/tasks/multipart.ts';

let t: TasksTestApp;
let dir: string;
let owner: TasksClient;
let assignee: TasksClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attachment-race-'));
  t = await createTasksTestApp({ STORAGE_DIR: dir });
  const [o, a] = await Promise.all([register(t), verifiedUser(t)]);
  owner = new TasksClient(t, o);
  assignee = new TasksClient(t, a);
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
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

describe('an upload whose uploader loses access while the body streams', () => {
  const cases = [
    {
      name: 'is refused (404) when the assignee is unassigned mid-upload',
      revoke: (taskId: string) => owner.del(`/tasks/${taskId}/assignee`),
    },
    {
      name: 'is refused (404) when the task is deleted mid-upload',
      revoke: (taskId: string) => owner.del(`/tasks/${taskId}`),
    },
  ];

  for (const { name, revoke } of cases) {
    it(`${name}, keeping neither a row nor a blob`, async () => {
      const task = await owner.createTask({ assignee_id: assignee.id });
      const content = fileOfSize(256 * 1024, samples.png);
      const { heads, tail } = multipartFraming([{ name: 'file', filename: 'late.png' }]);
      const body = controlledBody();
      const response = t.app.request(
        `${API}/tasks/${task.id}/attachments`,
        bearer(assignee.user.accessToken, {
          method: 'POST',
          headers: { 'Content-Type': multipartType() },
          body: body.stream,
          duplex: 'half',
        }),
      );
      body.send(Buffer.concat([heads[0] as Buffer, content.subarray(0, 64 * 1024)]));
      await uploadInProgress();

      expect((await revoke(task.id)).status).toBe(204);
      body.send(content.subarray(64 * 1024));
      body.send(tail);
      body.end();

      await expectProblem(await response, 404, 'not_found');
      const rows = await t.container.orm.em
        .fork()
        .getConnection()
        .execute<Array<{ n: number }>>(
          'select count(*)::int as n from attachments where task_id = ?',
          [task.id],
        );
      expect(rows[0]?.n).toBe(0);
      expect(await readdir(dir)).toEqual([]);
    });
  }
});
