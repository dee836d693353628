import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../../../../shared/infra/logger.ts';
import type { RetentionOutcome } from '../../application/run-retention.ts';

const RETENTION_QUEUE = 'retention';
const SCHEDULER_ID = 'retention';

export interface BullMqRetentionJobOptions {
  connect: () => Redis;
  prefix: string;
  everyMs: number;
  /** One retention run (in its own ORM context). */
  run: () => Promise<RetentionOutcome>;
  logger: Logger;
  onRun?(outcome: RetentionOutcome): void;
}

/**
 * The retention run as a BullMQ job scheduler: every worker process upserts the same scheduler
 * (one schedule, whatever the number of workers), and the queue's global concurrency of 1 lets
 * only one run be active across all of them, even when a run outlasts its interval.
 */
export class BullMqRetentionJob {
  private readonly options: BullMqRetentionJobOptions;
  private connections: Redis[] = [];
  private queue: Queue | undefined;
  private worker: Worker | undefined;

  constructor(options: BullMqRetentionJobOptions) {
    this.options = options;
  }

  async start(): Promise<void> {
    const { connect, prefix, everyMs, logger } = this.options;
    const [queueConnection, workerConnection] = [connect(), connect()];
    this.connections = [queueConnection, workerConnection];
    this.queue = new Queue(RETENTION_QUEUE, { connection: queueConnection, prefix });
    await this.queue.setGlobalConcurrency(1);
    // An `every` scheduler's first run comes at once, then one per interval.
    await this.queue.upsertJobScheduler(
      SCHEDULER_ID,
      { every: everyMs },
      { name: 'run', opts: { removeOnComplete: 50, removeOnFail: 50 } },
    );
    this.worker = new Worker(RETENTION_QUEUE, () => this.run(), {
      connection: workerConnection,
      prefix,
      concurrency: 1,
    });
    this.worker.on('failed', (_job, error) =>
      logger.warn({ err: { message: error.message } }, 'retention run failed'),
    );
    this.worker.on('error', (error) =>
      logger.warn({ err: { message: error.message } }, 'retention worker error'),
    );
  }

  /** Waits for a run in progress, then disconnects; the schedule stays for the other workers. */
  async stop(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
    await Promise.all(
      this.connections.map((connection) => connection.quit().catch(() => connection.disconnect())),
    );
  }

  private async run(): Promise<RetentionOutcome> {
    const outcome = await this.options.run();
    this.options.onRun?.(outcome);
    this.options.logger.info(outcome, 'retention run');
    return outcome;
  }
}
