import { DelayedError, Worker, type Job, type Telemetry } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../../../../shared/infra/logger.ts';
import type { FireReminderOutput } from '../../application/fire-reminder.ts';
import type { Notification } from '../../domain/notification.ts';
import type { NotificationsUseCases } from '../../notifications.use-cases.ts';
import { REMINDER_QUEUE, type ReminderJobData } from './bullmq-reminder-jobs.ts';

export interface ReminderWorkerHooks {
  fired?(latenessSeconds: number, notifications: readonly Notification[]): void;
  failed?(): void;
}

export interface BullMqReminderWorkerOptions {
  connect: () => Redis;
  prefix: string;
  useCases: Pick<NotificationsUseCases, 'fireReminder'>;
  scope: <T>(work: () => Promise<T>) => Promise<T>;
  logger: Logger;
  concurrency?: number;
  /** Lock duration and stalled-job check period (BullMQ default: 30 s). */
  lockMs?: number;
  hooks?: ReminderWorkerHooks;
  /** BullMQ's tracing: a job's run continues the trace that scheduled it. */
  telemetry?: Telemetry;
}

/**
 * Runs reminder jobs. A job that finds the reminder moved later goes back to the delayed set until
 * then; a failure is retried with backoff; a job whose worker died is picked up again by BullMQ's
 * stalled-job check. Each run re-reads the task, so none of these can notify twice.
 */
export class BullMqReminderWorker {
  private readonly options: BullMqReminderWorkerOptions;
  private connection: Redis | undefined;
  private worker: Worker<ReminderJobData> | undefined;

  constructor(options: BullMqReminderWorkerOptions) {
    this.options = options;
  }

  start(): void {
    const {
      connect,
      prefix,
      concurrency = 5,
      lockMs = 30_000,
      logger,
      hooks,
      telemetry,
    } = this.options;
    this.connection = connect();
    this.worker = new Worker<ReminderJobData>(
      REMINDER_QUEUE,
      (job, token) => this.run(job, token),
      {
        connection: this.connection,
        prefix,
        concurrency,
        lockDuration: lockMs,
        // A dead worker's job is found once its lock lapsed: check as often as locks last.
        stalledInterval: lockMs,
        ...(telemetry ? { telemetry } : {}),
      },
    );
    this.worker.on('failed', (job, error) => {
      hooks?.failed?.();
      logger.warn(
        { jobId: job?.id, attempts: job?.attemptsMade, err: { message: error.message } },
        'reminder job failed',
      );
    });
    this.worker.on('error', (error) =>
      logger.warn({ err: { message: error.message } }, 'reminder worker error'),
    );
  }

  /** Waits for running jobs to finish, then disconnects. */
  async stop(): Promise<void> {
    await this.worker?.close();
    await this.connection?.quit().catch(() => this.connection?.disconnect());
  }

  private async run(
    job: Job<ReminderJobData>,
    token?: string,
  ): Promise<FireReminderOutput['type']> {
    const { scope, useCases, hooks, logger } = this.options;
    const result = await scope(async () =>
      useCases.fireReminder.execute({ taskId: job.data.taskId }),
    );
    if (result.isErr()) return 'skipped';
    const outcome = result.value;
    if (outcome.type === 'early') {
      await job.updateData({ ...job.data, at: outcome.reminderAt.toISOString() });
      await job.moveToDelayed(outcome.reminderAt.getTime(), token);
      throw new DelayedError();
    }
    if (outcome.type === 'fired' && outcome.notifications.length > 0) {
      hooks?.fired?.(outcome.latenessMs / 1000, outcome.notifications);
      logger.info(
        {
          taskId: job.data.taskId,
          reminderAt: outcome.reminderAt.toISOString(),
          latenessMs: outcome.latenessMs,
          recipients: outcome.notifications.length,
        },
        'reminder fired',
      );
    }
    return outcome.type;
  }
}
