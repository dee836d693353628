import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { BullMqRetentionJob } from '../../../src/modules/retention/adapters/jobs/bullmq-retention-job.ts';
import type { RetentionOutcome } from '../../../src/modules/retention/application/run-retention.ts';
import { createLogger } from '../../../src/shared/infra/logger.ts';
import { createQueueRedis } from '../../../src/shared/infra/redis.ts';
import { isolatedDatabase } from '../../support/notifications/isolated-database.ts';
import { flushQueueKeys, uniqueQueuePrefix } from '../../support/notifications/queue-keys.ts';
import { createTestApp } from '../../support/test-app.ts';

const prefixes: string[] = [];
const newPrefix = () => {
  const prefix = uniqueQueuePrefix('retention');
  prefixes.push(prefix);
  return prefix;
};
afterAll(async () => {
  for (const prefix of prefixes) await flushQueueKeys(inject('redisUrl'), prefix);
});

/** Polls (bounded) until `done` holds. */
async function eventually(done: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await done()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const NOTHING: RetentionOutcome = {
  rows: {
    outbox_events: 0,
    refresh_tokens: 0,
    sessions: 0,
    one_time_tokens: 0,
    notifications: 0,
    webhook_deliveries: 0,
    attachments: 0,
    tasks: 0,
  },
  blobs: 0,
  blobFailures: 0,
};

describe('the retention job', () => {
  it('runs in the worker role as soon as it starts, and counts what it removed', async () => {
    const db = await isolatedDatabase('retention_job');
    const t = await createTestApp({ DATABASE_URL: db.url, QUEUE_PREFIX: newPrefix() });
    const id = randomUUID();
    await db.execute(
      `insert into outbox_events (id, type, task_id, actor_id, recipients, payload, occurred_at, processed_at)
       values (?, 'task.commented', ?, ?, '{}', '{}', now() - interval '9 days', now() - interval '8 days')`,
      [id, randomUUID(), randomUUID()],
    );
    const worker = t.container.startWorker();
    try {
      await eventually(
        async () =>
          (await db.execute('select 1 from outbox_events where id = ?', [id])).length === 0,
        'the retention run',
      );
      await eventually(
        async () =>
          /retention_rows_removed_total\{table="outbox_events"\} 1$/m.test(
            await t.container.metrics.registry.getSingleMetricAsString(
              'retention_rows_removed_total',
            ),
          ),
        'the metric',
      );
    } finally {
      await worker.stop();
      await t.close();
      await db.drop();
    }
  });

  it('runs one instance at a time across workers, even when a run outlasts its interval', async () => {
    const logger = createLogger({ level: 'silent' });
    const prefix = newPrefix();
    let active = 0;
    let mostAtOnce = 0;
    let runs = 0;
    const job = (name: string) =>
      new BullMqRetentionJob({
        connect: () => createQueueRedis(inject('redisUrl'), logger, name),
        prefix,
        everyMs: 50,
        logger,
        run: async () => {
          active += 1;
          mostAtOnce = Math.max(mostAtOnce, active);
          await sleep(200);
          active -= 1;
          runs += 1;
          return NOTHING;
        },
      });
    const workers = [job('retention-a'), job('retention-b')];
    await Promise.all(workers.map((worker) => worker.start()));
    try {
      await eventually(async () => runs >= 4, 'four runs');
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
    }
    expect(mostAtOnce).toBe(1);
  });
});
