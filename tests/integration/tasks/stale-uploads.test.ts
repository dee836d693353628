import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalDiskFileStorage } from '../../../src/modules/tasks/adapters/storage/local-disk-file-storage.ts';
import { S3FileStorage } from '../../../src/modules/tasks/adapters/storage/s3-file-storage.ts';
import {
  STALE_UPLOAD_AGE_MS,
  type StaleUploadSweeper,
} from '../../../src/modules/tasks/adapters/storage/stale-uploads.ts';
import type { FileStorage } from '../../../src/modules/tasks/application/support/file-storage.ts';
import { createTasksTestApp } from '../../support/tasks/http-tasks.ts';
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from '../../support/tasks/local-s3.ts';

const HOUR_AGO = () => new Date(Date.now() - 3_600_000);
const cutoff = () => new Date(Date.now() - STALE_UPLOAD_AGE_MS);

/** A file in `dir` last written at `at`. */
async function fileAt(dir: string, name: string, at: Date): Promise<string> {
  await writeFile(join(dir, name), 'partial upload');
  await utimes(join(dir, name), at, at);
  return name;
}

/** Polls (bounded) until `done` holds. */
async function eventually(done: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await done()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3();
});
afterAll(async () => {
  await s3.stop();
});

const stores: Array<{
  name: string;
  make: (dir: string) => FileStorage & StaleUploadSweeper & { close?: () => void };
}> = [
  { name: 'local disk', make: (dir) => new LocalDiskFileStorage(dir) },
  {
    name: 'S3 spool',
    make: (dir) =>
      new S3FileStorage({
        bucket: s3.bucket,
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: LOCAL_S3_CREDENTIALS,
        spoolDir: dir,
      }),
  },
];

for (const { name, make } of stores) {
  describe(`stale upload sweep (${name})`, () => {
    it('removes temporary files of uploads that died long ago, and nothing else', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'sweep-'));
      const storage = make(dir);
      try {
        await fileAt(dir, `.upload-${randomUUID()}.tmp`, HOUR_AGO());
        await fileAt(dir, `.upload-${randomUUID()}.tmp`, HOUR_AGO());
        const fresh = await fileAt(dir, `.upload-${randomUUID()}.tmp`, new Date());
        const stored = await fileAt(dir, randomUUID(), HOUR_AGO());
        const other = await fileAt(dir, '.keep', HOUR_AGO());

        expect(await storage.sweepStaleUploads(cutoff())).toBe(2);
        expect((await readdir(dir)).sort()).toEqual([fresh, stored, other].sort());
        expect(await storage.sweepStaleUploads(cutoff())).toBe(0);
      } finally {
        storage.close?.();
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('leaves an upload in progress alone', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'sweep-live-'));
      const storage = make(dir);
      let controller!: ReadableStreamDefaultController<Uint8Array>;
      const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
      const put = storage.put(body, { maxBytes: 1_000_000 }).catch((error: unknown) => error);
      try {
        controller.enqueue(new Uint8Array(8192).fill(120));
        await eventually(
          async () => (await readdir(dir)).some((n) => n.startsWith('.upload-')),
          'the upload to reach storage',
        );
        expect(await storage.sweepStaleUploads(cutoff())).toBe(0);
        controller.close();
        expect(await put).toMatchObject({ sizeBytes: 8192 });
      } finally {
        storage.close?.();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}

describe('the service at start', () => {
  it('sweeps stale temporary upload files of its store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sweep-start-'));
    const stale = await fileAt(dir, `.upload-${randomUUID()}.tmp`, HOUR_AGO());
    const fresh = await fileAt(dir, `.upload-${randomUUID()}.tmp`, new Date());
    const t = await createTasksTestApp({ STORAGE_DIR: dir });
    try {
      await eventually(async () => !(await readdir(dir)).includes(stale), 'the sweep at start');
      expect(await readdir(dir)).toEqual([fresh]);
      const metrics = await t.container.metrics.registry.getSingleMetricAsString(
        'retention_stale_uploads_removed_total',
      );
      expect(metrics).toMatch(/^retention_stale_uploads_removed_total 1$/m);
    } finally {
      await t.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
