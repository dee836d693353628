import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3FileStorage } from '../../../src/modules/tasks/adapters/storage/s3-file-storage.ts';
import { bearer, register } from '../../support/identity/http-client.ts';
import { fileOfSize, samples } from '../../support/tasks/file-samples.ts';
import {
  API,
  createTasksTestApp,
  expectProblem,
  expectStatus,
  TasksClient,
  type AttachmentJson,
  type TasksTestApp,
} from '../../support/tasks/http-tasks.ts';
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from '../../support/tasks/local-s3.ts';
import { multipartFraming, multipartType } from '../../support/tasks/multipart.ts';

const QUOTA = 300_000;

interface Me {
  id: string;
  storage: { used_bytes: number; quota_bytes: number };
}

interface Backend {
  name: string;
  start(): Promise<{ t: TasksTestApp; blobs: () => Promise<number>; stop: () => Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'local disk',
    async start() {
      const dir = await mkdtemp(join(tmpdir(), 'quota-'));
      const t = await createTasksTestApp({
        STORAGE_DIR: dir,
        STORAGE_QUOTA_BYTES: String(QUOTA),
      });
      return {
        t,
        blobs: async () => (await readdir(dir)).filter((name) => !name.startsWith('.')).length,
        stop: async () => {
          await t.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'S3',
    async start() {
      const s3: LocalS3 = await startLocalS3();
      const spoolDir = await mkdtemp(join(tmpdir(), 'quota-spool-'));
      const storage = new S3FileStorage({
        bucket: s3.bucket,
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: LOCAL_S3_CREDENTIALS,
        spoolDir,
      });
      const t = await createTasksTestApp(
        { STORAGE_QUOTA_BYTES: String(QUOTA) },
        { files: storage },
      );
      return {
        t,
        blobs: async () =>
          (await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket }))).KeyCount ?? 0,
        stop: async () => {
          await t.close();
          storage.close();
          await s3.stop();
          await rm(spoolDir, { recursive: true, force: true });
        },
      };
    },
  },
];

for (const backend of backends) {
  describe(`storage quota (${backend.name})`, () => {
    let t: TasksTestApp;
    let blobs: () => Promise<number>;
    let stop: () => Promise<void>;

    beforeAll(async () => {
      ({ t, blobs, stop } = await backend.start());
    });
    afterAll(async () => {
      await stop();
    });

    const newUser = async () => new TasksClient(t, await register(t));
    const me = async (user: TasksClient) => expectStatus<Me>(await user.get('/users/me'), 200);

    it('counts uploads, shows usage on /users/me, refuses the file that would pass the quota (413) and frees room on delete', async () => {
      const user = await newUser();
      const task = await user.createTask();
      expect((await me(user)).storage).toEqual({ used_bytes: 0, quota_bytes: QUOTA });

      const first = await user.attach(task.id, fileOfSize(200_000, samples.png), 'a.png');
      expect((await me(user)).storage).toEqual({ used_bytes: 200_000, quota_bytes: QUOTA });
      const blobsBefore = await blobs();

      const refused = await expectProblem(
        await user.upload(task.id, fileOfSize(150_000, samples.png), 'b.png'),
        413,
        'storage_quota_exceeded',
      );
      expect(refused).toMatchObject({ quota_bytes: QUOTA, used_bytes: 200_000 });
      expect(await blobs()).toBe(blobsBefore);
      expect((await user.attachments(task.id)).map((a) => a.id)).toEqual([first.id]);

      expect((await user.del(`/tasks/${task.id}/attachments/${first.id}`)).status).toBe(204);
      expect((await me(user)).storage.used_bytes).toBe(0);
      await user.attach(task.id, fileOfSize(150_000, samples.png), 'b.png');
      expect((await me(user)).storage.used_bytes).toBe(150_000);
    });

    it('refuses before reading a body whose declared length cannot fit what is left', async () => {
      const user = await newUser();
      const task = await user.createTask();
      const { heads } = multipartFraming([{ name: 'file', filename: 'big.png' }]);
      let pulls = 0;
      // Sends the head and one chunk, then stalls: only a refusal that reads no further answers.
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulls += 1;
          if (pulls === 1) controller.enqueue(heads[0] as Buffer);
          if (pulls === 2) controller.enqueue(fileOfSize(1024, samples.png));
          return pulls > 2 ? new Promise<void>(() => undefined) : undefined;
        },
      });
      const res = await t.app.request(
        `${API}/tasks/${task.id}/attachments`,
        bearer(user.user.accessToken, {
          method: 'POST',
          headers: { 'Content-Type': multipartType(), 'Content-Length': String(QUOTA + 100_000) },
          body,
          duplex: 'half',
        }),
      );
      await expectProblem(res, 413, 'storage_quota_exceeded');
      expect(res.headers.get('connection')).toBe('close');
      expect(await user.attachments(task.id)).toEqual([]);
    });

    it('lets parallel uploads of one user together take no more than the quota', async () => {
      const user = await newUser();
      const task = await user.createTask();
      const blobsBefore = await blobs();
      const responses = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          user.upload(task.id, fileOfSize(100_000, samples.png), `p${i}.png`),
        ),
      );
      const statuses = responses.map((res) => res.status).sort();
      expect(statuses).toEqual([201, 201, 201, 413, 413, 413]);
      for (const res of responses.filter((r) => r.status === 413)) {
        await expectProblem(res, 413, 'storage_quota_exceeded');
      }
      const stored: AttachmentJson[] = await user.attachments(task.id);
      expect(stored.reduce((sum, a) => sum + a.size_bytes, 0)).toBe(QUOTA);
      expect((await me(user)).storage.used_bytes).toBe(QUOTA);
      expect(await blobs()).toBe(blobsBefore + 3);
    });
  });
}
