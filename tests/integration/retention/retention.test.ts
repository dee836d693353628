import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { RequestContext } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RetentionOutcome } from '../../../src/modules/retention/application/run-retention.ts';
import { S3FileStorage } from '../../../src/modules/tasks/adapters/storage/s3-file-storage.ts';
import { json, register } from '../../support/identity/http-client.ts';
import {
  isolatedDatabase,
  type IsolatedDatabase,
} from '../../support/notifications/isolated-database.ts';
import { fileOfSize, samples } from '../../support/tasks/file-samples.ts';
import {
  createTasksTestApp,
  TasksClient,
  type TasksTestApp,
} from '../../support/tasks/http-tasks.ts';
import { LOCAL_S3_CREDENTIALS, startLocalS3 } from '../../support/tasks/local-s3.ts';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);
const ahead = (days: number) => new Date(Date.now() + days * DAY);

interface Backend {
  name: string;
  start(env: Record<string, string>): Promise<{
    t: TasksTestApp;
    /** The keys of the stored blobs. */
    keys: () => Promise<string[]>;
    stop: () => Promise<void>;
  }>;
}

const backends: Backend[] = [
  {
    name: 'local disk',
    async start(env) {
      const dir = await mkdtemp(join(tmpdir(), 'retention-'));
      const t = await createTasksTestApp({ ...env, STORAGE_DIR: dir });
      return {
        t,
        keys: async () => (await readdir(dir)).filter((name) => !name.startsWith('.')).sort(),
        stop: async () => {
          await t.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'S3',
    async start(env) {
      const s3 = await startLocalS3();
      const spoolDir = await mkdtemp(join(tmpdir(), 'retention-spool-'));
      const storage = new S3FileStorage({
        bucket: s3.bucket,
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: LOCAL_S3_CREDENTIALS,
        spoolDir,
      });
      const t = await createTasksTestApp(env, { files: storage });
      return {
        t,
        keys: async () => {
          const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
          return (listed.Contents ?? []).map((object) => object.Key ?? '').sort();
        },
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
  describe(`retention run (${backend.name})`, () => {
    let db: IsolatedDatabase;
    let t: TasksTestApp;
    let keys: () => Promise<string[]>;
    let stop: () => Promise<void>;

    beforeAll(async () => {
      // A database of its own: the run deletes across the whole database.
      db = await isolatedDatabase('retention');
      ({ t, keys, stop } = await backend.start({
        DATABASE_URL: db.url,
        // Small batches, so every kind takes more than one statement.
        RETENTION_BATCH_SIZE: '2',
      }));
    });
    afterAll(async () => {
      await stop?.();
      await db?.drop();
    });

    const exists = async (table: string, column: string, value: string) =>
      (await db.execute(`select 1 from ${table} where ${column} = ?`, [value])).length === 1;
    const run = () =>
      RequestContext.create(t.container.orm.em, async () =>
        (await t.container.retention.runRetention.execute())._unsafeUnwrap(),
      );

    it('removes what is past its retention, blobs included, and touches nothing still needed', async () => {
      const signed = await register(t);
      const user = new TasksClient(t, signed);
      const uid = signed.userId;

      // Sessions: the registration's is live; two ended long ago, two ended recently.
      const session = async (fields: { expires: Date; revoked: Date | null }) => {
        const id = randomUUID();
        const hash = `hash-${randomUUID()}`;
        await db.execute(
          `insert into sessions (id, user_id, current_refresh_hash, created_at, last_used_at,
             expires_at, revoked_at) values (?, ?, ?, ?, ?, ?, ?)`,
          [id, uid, hash, ago(40), ago(40), fields.expires, fields.revoked],
        );
        await db.execute(
          'insert into refresh_tokens (token_hash, session_id, created_at) values (?, ?, ?)',
          [hash, id, ago(40)],
        );
        return id;
      };
      const expiredLongAgo = await session({ expires: ago(8), revoked: null });
      const revokedLongAgo = await session({ expires: ahead(20), revoked: ago(10) });
      const revokedRecently = await session({ expires: ahead(20), revoked: ago(1) });
      const expiredRecently = await session({ expires: ago(2), revoked: null });
      const [live] = await db.execute<{ id: string; current_refresh_hash: string }>(
        'select id, current_refresh_hash from sessions where user_id = ? and revoked_at is null and expires_at > now()',
        [uid],
      );

      // Rotated refresh tokens of the live session: one outside the reuse window, two inside.
      const rotated = async (at: Date) => {
        const hash = `rotated-${randomUUID()}`;
        await db.execute(
          `insert into refresh_tokens (token_hash, session_id, created_at, rotated_at, replaced_by_hash)
           values (?, ?, ?, ?, ?)`,
          [hash, live!.id, at, at, live!.current_refresh_hash],
        );
        return hash;
      };
      const rotatedLongAgo = await rotated(ago(8));
      const rotatedRecently = await rotated(ago(1));
      const rotatedSecondsAgo = await rotated(new Date(Date.now() - 5_000));

      // One-time tokens (registration left an unused verification token).
      const token = async (expires: Date, used: Date | null) => {
        const id = randomUUID();
        await db.execute(
          `insert into one_time_tokens (id, user_id, purpose, token_hash, expires_at, used_at, created_at)
           values (?, ?, 'password_reset', ?, ?, ?, ?)`,
          [id, uid, `ott-${id}`, expires, used, ago(30)],
        );
        return id;
      };
      const usedLongAgo = await token(ago(5), ago(8));
      const expiredTokenLongAgo = await token(ago(8), null);
      const usedRecently = await token(ahead(1), ago(1));
      const expiredTokenRecently = await token(ago(1), null);
      const [verification] = await db.execute<{ id: string }>(
        'select id from one_time_tokens where user_id = ? and used_at is null and expires_at > now()',
        [uid],
      );

      // Outbox: an unprocessed event never goes, however old.
      const event = async (occurred: Date, processed: Date | null) => {
        const id = randomUUID();
        await db.execute(
          `insert into outbox_events (id, type, task_id, actor_id, recipients, payload, occurred_at, processed_at)
           values (?, 'task.commented', ?, ?, '{}', '{}', ?, ?)`,
          [id, randomUUID(), uid, occurred, processed],
        );
        return id;
      };
      const unprocessedOld = await event(ago(100), null);
      const processedLongAgo = await event(ago(9), ago(8));
      const processedRecently = await event(ago(1), ago(1));

      // Notifications: unread ones stay, however old.
      let seq = 0;
      const notification = async (created: Date, read: Date | null) => {
        const id = randomUUID();
        seq += 1;
        await db.execute(
          `insert into notifications (id, user_id, seq, type, data, read_at, created_at)
           values (?, ?, ?, 'task.commented', '{}', ?, ?)`,
          [id, uid, seq, read, created],
        );
        return id;
      };
      const unreadOld = await notification(ago(200), null);
      const readLongAgo = await notification(ago(100), ago(91));
      const readRecently = await notification(ago(20), ago(10));

      // Webhook deliveries: pending ones stay, however old.
      const webhookId = randomUUID();
      await db.execute(
        `insert into webhooks (id, user_id, url, events, active, secret, created_at, updated_at)
         values (?, ?, 'https://hooks.example.com/in', '{*}', true, 'whsec_eA==', now(), now())`,
        [webhookId, uid],
      );
      const delivery = async (created: Date, status: string) => {
        const id = randomUUID();
        await db.execute(
          `insert into webhook_deliveries (id, webhook_id, event_id, type, payload, status, created_at)
           values (?, ?, ?, 'webhook.ping', '{}', ?, ?)`,
          [id, webhookId, randomUUID(), status, created],
        );
        return id;
      };
      const pendingOld = await delivery(ago(100), 'pending');
      const succeededLongAgo = await delivery(ago(31), 'succeeded');
      const failedLongAgo = await delivery(ago(31), 'failed');
      const failedRecently = await delivery(ago(29), 'failed');

      // Tasks with real blobs: live, deleted recently, and three deleted long ago.
      const withFiles = async (files: number) => {
        const task = await user.createTask();
        const ids = [];
        for (let i = 0; i < files; i++) {
          ids.push((await user.attach(task.id, fileOfSize(2_000 + i, samples.png), `${i}.png`)).id);
        }
        return { taskId: task.id, attachmentIds: ids };
      };
      const deleteTask = async (taskId: string, at: Date) => {
        expect((await user.del(`/tasks/${taskId}`)).status).toBe(204);
        await db.execute('update tasks set deleted_at = ? where id = ?', [at, taskId]);
      };
      const liveTask = await withFiles(1);
      const deletedRecently = await withFiles(1);
      await deleteTask(deletedRecently.taskId, ago(29));
      const purged = [await withFiles(2), await withFiles(1), await withFiles(0)];
      await user.comment(purged[0]!.taskId, 'goes with its task');
      await db.execute(
        `insert into task_reminders (task_id, reminder_at, changed_at) values (?, ?, ?)`,
        [purged[0]!.taskId, ago(40), ago(40)],
      );
      for (const { taskId } of purged) await deleteTask(taskId, ago(31));
      const keysOf = async (ids: string[]) =>
        (
          await db.execute<{ storage_key: string }>(
            'select storage_key from attachments where id = any (?::uuid[])',
            [`{${ids.join(',')}}`],
          )
        ).map((row) => row.storage_key);
      const keptKeys = await keysOf([...liveTask.attachmentIds, ...deletedRecently.attachmentIds]);
      expect(await keys()).toHaveLength(5);

      const outcome: RetentionOutcome = await run();

      expect(outcome).toEqual({
        rows: {
          outbox_events: 1,
          refresh_tokens: 1,
          sessions: 2,
          one_time_tokens: 2,
          notifications: 1,
          webhook_deliveries: 2,
          attachments: 3,
          tasks: 3,
        },
        blobs: 3,
        blobFailures: 0,
      });
      expect(await keys()).toEqual([...keptKeys].sort());

      const gone: Array<[string, string, string]> = [
        ['sessions', 'id', expiredLongAgo],
        ['sessions', 'id', revokedLongAgo],
        ['refresh_tokens', 'token_hash', rotatedLongAgo],
        ['one_time_tokens', 'id', usedLongAgo],
        ['one_time_tokens', 'id', expiredTokenLongAgo],
        ['outbox_events', 'id', processedLongAgo],
        ['notifications', 'id', readLongAgo],
        ['webhook_deliveries', 'id', succeededLongAgo],
        ['webhook_deliveries', 'id', failedLongAgo],
        ...purged.map(({ taskId }): [string, string, string] => ['tasks', 'id', taskId]),
        ['task_reminders', 'task_id', purged[0]!.taskId],
        ['comments', 'task_id', purged[0]!.taskId],
      ];
      const kept: Array<[string, string, string]> = [
        ['sessions', 'id', live!.id],
        ['sessions', 'id', revokedRecently],
        ['sessions', 'id', expiredRecently],
        ['refresh_tokens', 'token_hash', live!.current_refresh_hash],
        ['refresh_tokens', 'token_hash', rotatedRecently],
        ['refresh_tokens', 'token_hash', rotatedSecondsAgo],
        ['one_time_tokens', 'id', verification!.id],
        ['one_time_tokens', 'id', usedRecently],
        ['one_time_tokens', 'id', expiredTokenRecently],
        ['outbox_events', 'id', unprocessedOld],
        ['outbox_events', 'id', processedRecently],
        ['notifications', 'id', unreadOld],
        ['notifications', 'id', readRecently],
        ['webhook_deliveries', 'id', pendingOld],
        ['webhook_deliveries', 'id', failedRecently],
        ['tasks', 'id', liveTask.taskId],
        ['tasks', 'id', deletedRecently.taskId],
        ...[...liveTask.attachmentIds, ...deletedRecently.attachmentIds].map(
          (id): [string, string, string] => ['attachments', 'id', id],
        ),
      ];
      for (const [table, column, value] of gone) {
        expect(await exists(table, column, value), `${table} ${value} removed`).toBe(false);
      }
      for (const [table, column, value] of kept) {
        expect(await exists(table, column, value), `${table} ${value} kept`).toBe(true);
      }

      // The live session still works end to end, and so does the live task's file.
      const refreshed = await t.app.request(
        '/api/v1/auth/refresh',
        json({ refresh_token: signed.refreshToken }),
      );
      expect(refreshed.status).toBe(200);
      const download = await user.get(
        `/tasks/${liveTask.taskId}/attachments/${liveTask.attachmentIds[0]}/content`,
      );
      expect(download.status).toBe(200);
      await download.arrayBuffer();

      // Nothing is left to do: a second run removes nothing.
      const again = await run();
      expect(Object.values(again.rows).every((n) => n === 0)).toBe(true);
      expect(again.blobs).toBe(0);
    });
  });
}
