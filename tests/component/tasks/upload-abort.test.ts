import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type RunningServer } from '../../../src/server.ts';
import { register } from '../../support/identity/http-client.ts';
import {
  createTasksTestApp,
  TasksClient,
  type TasksTestApp,
} from '../../support/tasks/http-tasks.ts';
import { BOUNDARY, multipartFraming, multipartType } from '../../support/tasks/multipart.ts';

let t: TasksTestApp;
let server: RunningServer;
let storageDir: string;
beforeAll(async () => {
  storageDir = await mkdtemp(join(tmpdir(), 'upload-abort-'));
  t = await createTasksTestApp({ STORAGE_DIR: storageDir });
  server = await startHttpServer(t.container, 0, '127.0.0.1');
});
afterAll(async () => {
  await server?.close(1_000);
  await t?.close();
  if (storageDir) await rm(storageDir, { recursive: true, force: true });
});

/** Waits (bounded) for a log record that matches. */
async function logged(match: (record: Record<string, unknown>) => boolean, ms = 5_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = t.logs.records().find(match);
    if (found || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a client that aborts an upload', () => {
  it('is logged as a client abort, not as an unavailable database, and keeps no partial file', async () => {
    const user = await register(t);
    const task = await new TasksClient(t, user).createTask();
    const path = `/api/v1/tasks/${task.id}/attachments`;
    const { heads } = multipartFraming([
      { filename: 'big.bin', contentType: 'application/octet-stream' },
    ]);
    const socket = connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${user.accessToken}\r\n` +
        `Content-Type: ${multipartType(BOUNDARY)}\r\nContent-Length: ${5 * 1024 * 1024}\r\n\r\n`,
    );
    socket.write(heads[0]!);
    socket.write(Buffer.alloc(256 * 1024, 7));
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.destroy();

    const line = await logged(
      (r) => r.msg === 'request' && r.route === '/api/v1/tasks/:task_id/attachments',
    );
    expect(line).toBeDefined();
    expect(line?.status).not.toBe(503);
    expect(await logged((r) => r.msg === 'client aborted the request', 1_000)).toBeDefined();
    expect(t.logs.records().filter((r) => r.msg === 'dependency unavailable')).toEqual([]);
    expect(t.logs.records().filter((r) => r.msg === 'unhandled error')).toEqual([]);
    // The 256 KiB that did arrive were spooled to a temporary file: it is gone, nothing is kept.
    expect(await readdir(storageDir, { recursive: true })).toEqual([]);
  });
});
