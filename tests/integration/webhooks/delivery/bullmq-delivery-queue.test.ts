import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  BullMqDeliveryQueue,
  DELIVERY_QUEUE,
  deliveryJobId,
  type DeliveryJobData,
} from '../../../../src/modules/webhooks/adapters/delivery/bullmq-delivery-queue.ts';
import {
  BullMqDeliveryWorker,
  type DeliveryHandler,
} from '../../../../src/modules/webhooks/adapters/delivery/bullmq-delivery-worker.ts';
import { flushQueueKeys, uniqueQueuePrefix } from '../../../support/notifications/queue-keys.ts';

const prefix = uniqueQueuePrefix('webhook-deliveries');
const connect = () => new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
const logger = pino({ level: 'silent' });
let deliveries: BullMqDeliveryQueue;
let inspect: Queue<DeliveryJobData>;
const workers: BullMqDeliveryWorker[] = [];

beforeAll(() => {
  deliveries = new BullMqDeliveryQueue(connect, prefix);
  inspect = new Queue<DeliveryJobData>(DELIVERY_QUEUE, { connection: connect(), prefix });
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.close()));
  await inspect.obliterate({ force: true });
});
afterAll(async () => {
  await deliveries.close();
  await inspect.close();
  await flushQueueKeys(inject('redisUrl'), prefix);
});

function startWorker(handler: DeliveryHandler, concurrency = 4): BullMqDeliveryWorker {
  const worker = new BullMqDeliveryWorker({ connect, prefix, handler, logger, concurrency });
  worker.start();
  workers.push(worker);
  return worker;
}

async function until(probe: () => boolean | Promise<boolean>, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

const id = () => crypto.randomUUID();

/**
 * A delivery row as the worker's handler treats it: only the next attempt of a pending delivery
 * runs; while its webhook is paused it is given up unsent, `attempts` unchanged (as `fail` does).
 */
function givenUpRow() {
  const state = { status: 'pending', attempts: 0, sent: 0 };
  let paused = true;
  const handle: DeliveryHandler = (_deliveryId, attempt) => {
    if (state.status !== 'pending' || state.attempts + 1 !== attempt) return Promise.resolve();
    if (paused) state.status = 'failed';
    else Object.assign(state, { status: 'succeeded', attempts: attempt, sent: state.sent + 1 });
    return Promise.resolve();
  };
  const redeliver = () => {
    paused = false;
    state.status = 'pending';
  };
  return { state, handle, redeliver };
}

describe('BullMqDeliveryQueue and BullMqDeliveryWorker', () => {
  it('keeps one job when the same attempt of a delivery is enqueued twice', async () => {
    const deliveryId = id();

    await deliveries.enqueue(deliveryId, 1, 60_000);
    await deliveries.enqueue(deliveryId, 1, 0);
    await deliveries.enqueue(deliveryId, 2, 60_000);

    const jobs = await inspect.getJobs(['waiting', 'delayed']);
    expect(jobs.map((job) => job.id).sort()).toEqual(
      [deliveryJobId(deliveryId, 1), deliveryJobId(deliveryId, 2)].sort(),
    );
    expect(await inspect.getJobState(deliveryJobId(deliveryId, 1))).toBe('delayed');
  });

  it('runs a delayed attempt once its delay has passed, not before', async () => {
    const deliveryId = id();
    const runs: Array<{ deliveryId: string; attempt: number; at: number }> = [];
    startWorker((deliveryId, attempt) => {
      runs.push({ deliveryId, attempt, at: Date.now() });
      return Promise.resolve();
    });
    const enqueuedAt = Date.now();

    await deliveries.enqueue(deliveryId, 3, 1_500);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(runs).toHaveLength(0);
    await until(() => runs.length === 1);

    expect(runs[0]).toMatchObject({ deliveryId, attempt: 3 });
    expect(runs[0]!.at - enqueuedAt).toBeGreaterThanOrEqual(1_500);
    const job = await inspect.getJob(deliveryJobId(deliveryId, 3));
    expect(job!.processedOn! - job!.timestamp).toBeGreaterThanOrEqual(1_500);
  });

  it('runs at most `concurrency` attempts at once in one worker', async () => {
    const release = gate();
    let running = 0;
    let most = 0;
    const done: string[] = [];
    startWorker(async (deliveryId) => {
      running += 1;
      most = Math.max(most, running);
      await release.wait;
      running -= 1;
      done.push(deliveryId);
    }, 2);
    const ids = Array.from({ length: 5 }, id);

    for (const deliveryId of ids) await deliveries.enqueue(deliveryId, 1, 0);
    await until(() => running === 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(running).toBe(2);
    release.open();
    await until(() => done.length === 5);

    expect(most).toBe(2);
    expect(done.sort()).toEqual([...ids].sort());
  });

  it('tells which deliveries still have an attempt to run', async () => {
    const [delayed, waiting, finished, unknown] = [id(), id(), id(), id()];
    await deliveries.enqueue(finished, 1, 0);
    const worker = startWorker(() => Promise.resolve());
    await until(
      async () => (await inspect.getJobState(deliveryJobId(finished, 1))) === 'completed',
    );
    await worker.close();
    await deliveries.enqueue(delayed, 4, 60_000);
    await deliveries.enqueue(waiting, 1, 0);

    const scheduled = await deliveries.scheduled([delayed, waiting, finished, unknown]);

    expect([...scheduled].sort()).toEqual([delayed, waiting].sort());
    expect(await deliveries.scheduled([])).toEqual(new Set());
  });

  it('counts a running attempt as scheduled', async () => {
    const release = gate();
    const deliveryId = id();
    let started = false;
    startWorker(async () => {
      started = true;
      await release.wait;
    });

    await deliveries.enqueue(deliveryId, 1, 0);
    await until(() => started);

    expect(await deliveries.scheduled([deliveryId])).toEqual(new Set([deliveryId]));
    release.open();
  });

  it('runs the same attempt again when the handler fails', async () => {
    const deliveryId = id();
    const runs: number[] = [];
    startWorker((_deliveryId, attempt) => {
      runs.push(attempt);
      return runs.length === 1 ? Promise.reject(new Error('database down')) : Promise.resolve();
    });

    await deliveries.enqueue(deliveryId, 2, 0);
    await until(() => runs.length === 2);

    expect(runs).toEqual([2, 2]);
  });

  it('schedules an attempt again once its handler has failed for good', async () => {
    const deliveryId = id();
    const jobId = deliveryJobId(deliveryId, 1);
    let runs = 0;
    startWorker(() => {
      runs += 1;
      return Promise.reject(new Error('database down'));
    });

    await deliveries.enqueue(deliveryId, 1, 0);
    await until(async () => (await inspect.getJobState(jobId)) === 'failed');
    const failedAfter = runs;
    await deliveries.enqueue(deliveryId, 1, 0);
    await until(() => runs > failedAfter);

    expect(failedAfter).toBe(3);
    expect(await deliveries.scheduled([deliveryId])).toEqual(new Set([deliveryId]));
  });

  it('runs a deferred attempt again after the delay it asked for, as the same job, counting no failure', async () => {
    const deliveryId = id();
    const jobId = deliveryJobId(deliveryId, 1);
    const runs: number[] = [];
    startWorker(() => {
      runs.push(Date.now());
      return Promise.resolve(runs.length === 1 ? { retryInMs: 400 } : undefined);
    });

    await deliveries.enqueue(deliveryId, 1, 0);
    await until(async () => runs.length === 1 && (await inspect.getJobState(jobId)) === 'delayed');
    expect(await deliveries.scheduled([deliveryId])).toEqual(new Set([deliveryId]));
    await deliveries.enqueue(deliveryId, 1, 0);
    await until(async () => (await inspect.getJobState(jobId)) === 'completed');
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(runs).toHaveLength(2);
    expect(runs[1]! - runs[0]!).toBeGreaterThanOrEqual(400);
    const job = await inspect.getJob(jobId);
    expect(job?.attemptsMade).toBe(1);
  });

  it('ignores enqueueing an attempt that is running or deferred', async () => {
    const release = gate();
    const deliveryId = id();
    let runs = 0;
    startWorker(async () => {
      runs += 1;
      if (runs === 1) {
        await release.wait;
        return { retryInMs: 300 };
      }
      return undefined;
    });
    await deliveries.enqueue(deliveryId, 1, 0);
    await until(() => runs === 1);
    await deliveries.enqueue(deliveryId, 1, 0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(runs).toBe(1);
    release.open();
    await until(
      async () => (await inspect.getJobState(deliveryJobId(deliveryId, 1))) === 'delayed',
    );
    await deliveries.enqueue(deliveryId, 1, 0);
    await until(
      async () => (await inspect.getJobState(deliveryJobId(deliveryId, 1))) === 'completed',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(runs).toBe(2);
  });

  it('runs again an attempt whose job completed without making it, when it is enqueued again', async () => {
    // As the reconciler does for a pending delivery with no job to run.
    const deliveryId = id();
    const row = givenUpRow();
    startWorker(row.handle);
    await deliveries.enqueue(deliveryId, 1, 0);
    await until(
      async () => (await inspect.getJobState(deliveryJobId(deliveryId, 1))) === 'completed',
    );
    expect(row.state).toEqual({ status: 'failed', attempts: 0, sent: 0 });

    row.redeliver();
    await deliveries.enqueue(deliveryId, 1, 0);
    await until(() => row.state.sent === 1, 2_000);

    expect(row.state).toEqual({ status: 'succeeded', attempts: 1, sent: 1 });
  });

  it('runs a redelivery at once when the delivery was given up without an attempt', async () => {
    const deliveryId = id();
    const row = givenUpRow();
    startWorker(row.handle);
    await deliveries.enqueue(deliveryId, 1, 0);
    await until(() => row.state.status === 'failed');
    await until(
      async () => (await inspect.getJobState(deliveryJobId(deliveryId, 1))) === 'completed',
    );

    row.redeliver();
    await deliveries.enqueueNow(deliveryId, 1);
    await until(() => row.state.sent === 1, 2_000);

    expect(row.state).toEqual({ status: 'succeeded', attempts: 1, sent: 1 });
  });

  it('runs a redelivery at once when its attempt was waiting out a long retry delay', async () => {
    const deliveryId = id();
    const runs: number[] = [];
    startWorker((_deliveryId, attempt) => {
      runs.push(attempt);
      return Promise.resolve();
    });
    await deliveries.enqueue(deliveryId, 5, 13 * 3600_000);
    expect(await inspect.getJobState(deliveryJobId(deliveryId, 5))).toBe('delayed');

    await deliveries.enqueueNow(deliveryId, 5);
    await until(() => runs.length === 1, 2_000);
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(runs).toEqual([5]);
    expect(await inspect.getJobState(deliveryJobId(deliveryId, 5))).toBe('completed');
  });

  it('queues a redelivery whose attempt has no job yet, and runs it once', async () => {
    const deliveryId = id();
    const runs: number[] = [];
    startWorker((_deliveryId, attempt) => {
      runs.push(attempt);
      return Promise.resolve();
    });

    await deliveries.enqueueNow(deliveryId, 2);
    await deliveries.enqueueNow(deliveryId, 2);
    await until(() => runs.length >= 1, 2_000);
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(runs).toEqual([2]);
  });

  it('closes only after the attempts it is running have finished', async () => {
    const release = gate();
    let started = false;
    let finished = false;
    const worker = startWorker(async () => {
      started = true;
      await release.wait;
      finished = true;
    });
    await deliveries.enqueue(id(), 1, 0);
    await until(() => started);

    let closed = false;
    const closing = worker.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(closed).toBe(false);
    release.open();
    await closing;

    expect(finished).toBe(true);
  });
});
