import { DelayedError, Worker, type Job, type Telemetry } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../../../../shared/infra/logger.ts';
import { DELIVERY_QUEUE, type DeliveryJobData } from './bullmq-delivery-queue.ts';

/** Run the same job again after `retryInMs`, counting nothing (e.g. every endpoint slot was busy). */
export interface DeliveryDeferral {
  retryInMs: number;
}

export type DeliveryHandler = (
  deliveryId: string,
  attempt: number,
) => Promise<DeliveryDeferral | undefined | void>;

export interface DeliveryWorkerHooks {
  /** A handler threw (BullMQ retries the same attempt with backoff). */
  failed?(): void;
}

export interface BullMqDeliveryWorkerOptions {
  connect: () => Redis;
  prefix: string;
  handler: DeliveryHandler;
  logger: Logger;
  /** Attempts run at once in this process (across webhooks; EndpointSlots bound one webhook). */
  concurrency?: number;
  /** Lock duration and stalled-job check period (BullMQ default: 30 s); above the send deadline. */
  lockMs?: number;
  hooks?: DeliveryWorkerHooks;
  /** BullMQ's tracing: a job's run continues the trace that enqueued it. */
  telemetry?: Telemetry;
}

/**
 * Runs delivery attempts from the `webhook-deliveries` queue. A job whose worker died is picked up
 * again by BullMQ's stalled-job check, so the handler must tolerate running an attempt twice.
 */
export class BullMqDeliveryWorker {
  readonly #options: BullMqDeliveryWorkerOptions;
  #connection: Redis | undefined;
  #worker: Worker<DeliveryJobData> | undefined;

  constructor(options: BullMqDeliveryWorkerOptions) {
    this.#options = options;
  }

  start(): void {
    const {
      connect,
      prefix,
      concurrency = 8,
      lockMs = 30_000,
      logger,
      hooks,
      telemetry,
    } = this.#options;
    this.#connection = connect();
    this.#worker = new Worker<DeliveryJobData>(
      DELIVERY_QUEUE,
      (job, token) => this.#run(job, token),
      {
        connection: this.#connection,
        prefix,
        concurrency,
        lockDuration: lockMs,
        stalledInterval: lockMs,
        ...(telemetry ? { telemetry } : {}),
      },
    );
    this.#worker.on('failed', (job, error) => {
      hooks?.failed?.();
      logger.warn(
        {
          deliveryId: job?.data.deliveryId,
          attempt: job?.data.attempt,
          jobAttempts: job?.attemptsMade,
          err: { message: error.message },
        },
        'webhook delivery job failed',
      );
    });
    this.#worker.on('error', (error) =>
      logger.warn({ err: { message: error.message } }, 'webhook delivery worker error'),
    );
  }

  /** Waits for running attempts to finish, then disconnects. */
  async close(): Promise<void> {
    await this.#worker?.close();
    await this.#connection?.quit().catch(() => this.#connection?.disconnect());
  }

  /**
   * A deferred job moves itself to the delayed set under its own id: enqueueing the same attempt
   * again would be ignored while this job is active, and the reconciler would then be its only
   * way back. BullMQ counts no handler attempt for a job moved to delayed.
   */
  async #run(job: Job<DeliveryJobData>, token: string | undefined): Promise<void> {
    const deferral = await this.#options.handler(job.data.deliveryId, job.data.attempt);
    if (!deferral) return;
    await job.moveToDelayed(Date.now() + Math.max(0, deferral.retryInMs), token);
    throw new DelayedError();
  }
}
