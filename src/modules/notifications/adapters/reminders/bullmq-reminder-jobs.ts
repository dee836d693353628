import { Queue, type JobsOptions, type Telemetry } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ReminderJobs } from '../../application/ports.ts';

export const REMINDER_QUEUE = 'reminders';
const DUE_SOON_JOB = 'due-soon';

export interface ReminderJobData {
  taskId: string;
  /** When the job is meant to run (RFC 3339); lets `schedule` see that nothing changed. */
  at: string;
}

/** One job per task, so scheduling, moving and dropping it need no lookup table (no `:` allowed). */
export const reminderJobId = (taskId: string) => `task-${taskId}`;

const JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  // A completed job must go: `add` with the id of an existing job is silently ignored.
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** A job counts as moved only if its time differs by more than this. */
const SAME_TIME_MS = 1_000;

/** The delayed jobs of the `reminders` queue. The queue and its connection open on first use. */
export class BullMqReminderJobs implements ReminderJobs {
  private readonly connect: () => Redis;
  private readonly prefix: string;
  private connection: Redis | undefined;
  private queue: Queue<ReminderJobData> | undefined;
  private readonly telemetry: Telemetry | undefined;

  /** With `telemetry` (BullMQ's tracing), a job carries the trace it was scheduled in. */
  constructor(connect: () => Redis, prefix: string, telemetry?: Telemetry) {
    this.connect = connect;
    this.prefix = prefix;
    this.telemetry = telemetry;
  }

  async schedule(taskId: string, at: Date): Promise<void> {
    const queue = this.open();
    const data: ReminderJobData = { taskId, at: at.toISOString() };
    const delay = () => Math.max(0, at.getTime() - Date.now());
    const job = await queue.getJob(reminderJobId(taskId));
    if (job) {
      const state = await job.getState();
      if (state === 'delayed') {
        if (Math.abs(Date.parse(job.data.at) - at.getTime()) < SAME_TIME_MS) return;
        await job.updateData(data);
        // If it just became due, it runs now, re-reads the task and re-delays itself if early.
        await job.changeDelay(delay()).catch(() => undefined);
        return;
      }
      // Waiting or running: it re-reads the task when it runs and re-delays itself if early.
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return;
      await job.remove().catch(() => undefined);
    }
    await queue.add(DUE_SOON_JOB, data, {
      ...JOB_OPTIONS,
      jobId: reminderJobId(taskId),
      delay: delay(),
    });
  }

  async cancel(taskId: string): Promise<void> {
    const job = await this.open().getJob(reminderJobId(taskId));
    // A running job re-reads the task and skips it; removing it would fail on its lock.
    if (job && (await job.getState()) !== 'active') await job.remove().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.queue?.close();
    await this.connection?.quit().catch(() => this.connection?.disconnect());
  }

  private open(): Queue<ReminderJobData> {
    if (!this.queue) {
      this.connection = this.connect();
      this.queue = new Queue<ReminderJobData>(REMINDER_QUEUE, {
        connection: this.connection,
        prefix: this.prefix,
        ...(this.telemetry ? { telemetry: this.telemetry } : {}),
      });
    }
    return this.queue;
  }
}
