import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Logger } from '../../shared/infra/logger.ts';
import { PeriodicTask } from '../../shared/infra/periodic-task.ts';
import { BullMqRetentionJob } from './adapters/jobs/bullmq-retention-job.ts';
import { createRetentionMetrics } from './adapters/observability/retention-metrics.ts';
import type { RetentionPorts, UploadSpool } from './application/ports.ts';
import { RunRetention } from './application/run-retention.ts';

export interface RetentionSettings {
  /** How often the worker role's retention job runs (RETENTION_INTERVAL_MINUTES). */
  intervalMinutes: number;
  /** Age past which a temporary upload file is left over from a dead upload. */
  staleUploadAgeMs: number;
}

export interface RetentionWorkerOptions {
  /** A new Redis connection for the job's queue and worker. */
  queueConnection: () => Redis;
  queuePrefix: string;
  /** Runs database work in its own ORM context. */
  scope: <T>(work: () => Promise<T>) => Promise<T>;
}

export interface RetentionModule {
  useCases: { runRetention: RunRetention };
  /** Sweeps temporary upload files now and periodically; every role runs it (each spools uploads). */
  uploadSweep: PeriodicTask;
  /** The worker role's retention job: one run at a time across all workers. */
  createWorker(options: RetentionWorkerOptions): BullMqRetentionJob;
}

/** The retention use case, the upload sweep and the retention job, with their metrics. */
export function createRetentionModule(
  ports: RetentionPorts,
  options: {
    uploads: UploadSpool;
    settings: RetentionSettings;
    logger: Logger;
    registry: Registry;
  },
): RetentionModule {
  const { uploads, settings, logger } = options;
  const metrics = createRetentionMetrics(options.registry);
  const runRetention = new RunRetention(ports);
  // File ages are the file system's wall-clock times, whatever clock the service runs on.
  const uploadSweep = new PeriodicTask(
    'uploads.sweep',
    async () => {
      const swept = await uploads.sweepStaleUploads(
        new Date(Date.now() - settings.staleUploadAgeMs),
      );
      metrics.swept(swept);
      if (swept > 0) logger.info({ files: swept }, 'stale upload files swept');
    },
    settings.staleUploadAgeMs,
    logger,
  );
  return {
    useCases: { runRetention },
    uploadSweep,
    createWorker: ({ queueConnection, queuePrefix, scope }) =>
      new BullMqRetentionJob({
        connect: queueConnection,
        prefix: queuePrefix,
        everyMs: settings.intervalMinutes * 60_000,
        run: () =>
          scope(async () =>
            (await runRetention.execute()).match(
              (outcome) => outcome,
              (never) => never,
            ),
          ),
        logger,
        onRun: (outcome) => metrics.ran(outcome),
      }),
  };
}
