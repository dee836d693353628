import { RequestContext } from '@mikro-orm/core';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackgroundWork } from '../../../src/container.ts';
import {
  REMINDER_QUEUE,
  reminderJobId,
  type ReminderJobData,
} from '../../../src/modules/notifications/adapters/reminders/bullmq-reminder-jobs.ts';
import type { Signed } from '../../support/identity/http-client.ts';
import {
  isolatedDatabase,
  type IsolatedDatabase,
} from '../../support/notifications/isolated-database.ts';
import {
  createTask,
  inbox,
  patchTask,
  relayAll,
  verifiedUser,
} from '../../support/notifications/notifications-kit.ts';
import { flushQueueKeys, uniqueQueuePrefix } from '../../support/notifications/queue-keys.ts';
import { createTestApp, type TestApp } from '../../support/test-app.ts';

const prefix = uniqueQueuePrefix('reminders');
let db: IsolatedDatabase;
let t: TestApp;
let queue: Queue<ReminderJobData>;
beforeAll(async () => {
  db = await isolatedDatabase();
  t = await createTestApp({
    DATABASE_URL: db.url,
    QUEUE_PREFIX: prefix,
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
    RATE_LIMIT_USER_PER_MINUTE: '100000',
  });
  queue = new Queue<ReminderJobData>(REMINDER_QUEUE, {
    connection: { url: inject('redisUrl'), maxRetriesPerRequest: null },
    prefix,
  });
});
afterAll(async () => {
  await queue?.close();
  await t?.close();
  await flushQueueKeys(inject('redisUrl'), prefix);
  await db?.drop();
});

const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000);
const dueSoon = async (user: Signed) =>
  (await inbox(t, user)).items.filter((n) => n.type === 'task.due_soon');

async function withWorker<T>(work: () => Promise<T>): Promise<T> {
  const worker: BackgroundWork = t.container.startWorker();
  try {
    return await work();
  } finally {
    await worker.stop();
  }
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 8_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('reminder jobs in BullMQ', () => {
  it('fires a reminder 2 s ahead at its time, once, for the owner and the assignee', async () => {
    const owner = await verifiedUser(t);
    const assignee = await verifiedUser(t);
    const remindAt = inSeconds(2);
    const task = await createTask(t, owner, {
      assignee_id: assignee.userId,
      due_date: inSeconds(3600).toISOString(),
      remind_at: remindAt.toISOString(),
    });

    const [fired] = await withWorker(() =>
      until(async () => {
        const found = await dueSoon(owner);
        return found.length > 0 ? found : undefined;
      }),
    );

    expect(fired).toMatchObject({ type: 'task.due_soon', task_id: task.id, actor_id: null });
    expect(fired?.data.reminder_at).toBe(remindAt.toISOString());
    expect(Date.parse(fired!.created_at)).toBeGreaterThanOrEqual(remindAt.getTime());
    expect(await dueSoon(assignee)).toHaveLength(1);
    expect(await dueSoon(owner)).toHaveLength(1);
  });

  it('measures outbox lag, reminder lateness and failed reminder jobs', async () => {
    const value = async (series: string) => {
      const text = await t.container.metrics.registry.metrics();
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line ? Number(line.slice(series.length + 1)) : 0;
    };
    expect(await value('outbox_lag_seconds_count')).toBeGreaterThan(0);
    expect(await value('reminder_lateness_seconds_count')).toBeGreaterThan(0);
    expect(await value('notifications_created_total{type="task.due_soon"}')).toBeGreaterThan(0);

    // A job the worker cannot run (its task id is not a UUID): it fails and is counted.
    await queue.add(
      'due-soon',
      { taskId: 'not-a-uuid', at: new Date().toISOString() },
      { jobId: 'task-broken', attempts: 1 },
    );
    await withWorker(() =>
      until(async () => ((await value('reminder_job_failures_total')) > 0 ? true : undefined)),
    );
  });

  it('moves the job when the reminder changes, and removes it when the task is completed', async () => {
    const owner = await verifiedUser(t);
    const task = await createTask(t, owner, {
      due_date: inSeconds(7200).toISOString(),
      remind_at: inSeconds(600).toISOString(),
    });
    await relayAll(t);
    const first = await queue.getJob(reminderJobId(task.id));
    expect(await first?.getState()).toBe('delayed');

    const moved = inSeconds(1200);
    await patchTask(t, owner, task.id, { remind_at: moved.toISOString() });
    await relayAll(t);
    const job = await queue.getJob(reminderJobId(task.id));
    expect(await job?.getState()).toBe('delayed');
    expect(job?.data.at).toBe(moved.toISOString());
    expect(job!.timestamp + job!.delay).toBeGreaterThan(moved.getTime() - 2_000);

    await patchTask(t, owner, task.id, { status: 'completed' });
    await relayAll(t);
    expect(await queue.getJob(reminderJobId(task.id))).toBeUndefined();
  });

  it('re-creates a job Redis lost when the reconciler runs', async () => {
    const owner = await verifiedUser(t);
    const remindAt = inSeconds(300);
    const task = await createTask(t, owner, {
      due_date: inSeconds(3600).toISOString(),
      remind_at: remindAt.toISOString(),
    });
    await relayAll(t);
    expect(await queue.getJob(reminderJobId(task.id))).toBeDefined();

    expect(await flushQueueKeys(inject('redisUrl'), prefix)).toBeGreaterThan(0);
    expect(await queue.getJob(reminderJobId(task.id))).toBeUndefined();

    const result = await RequestContext.create(t.container.orm.em, async () =>
      t.container.notifications.useCases.reconcileReminders.execute({
        horizonMs: 10 * 60_000,
        pageSize: 100,
      }),
    );
    expect(result._unsafeUnwrap().scheduled).toBeGreaterThan(0);
    const job = await queue.getJob(reminderJobId(task.id));
    expect(await job?.getState()).toBe('delayed');
    expect(job?.data.at).toBe(remindAt.toISOString());
  });

  it('fires a reminder whose time passed while its job was lost, once, late', async () => {
    const owner = await verifiedUser(t);
    const task = await createTask(t, owner, {
      due_date: inSeconds(3600).toISOString(),
      remind_at: inSeconds(1).toISOString(),
    });
    await relayAll(t);
    await flushQueueKeys(inject('redisUrl'), prefix);
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    // A starting worker reconciles first: the lost job comes back and runs at once.
    const fired = await withWorker(() =>
      until(async () => {
        const found = await dueSoon(owner);
        return found.length > 0 ? found : undefined;
      }),
    );
    expect(fired.map((n) => n.task_id)).toEqual([task.id]);
    await withWorker(() => new Promise((resolve) => setTimeout(resolve, 500)));
    expect(await dueSoon(owner)).toHaveLength(1);
  });
});
