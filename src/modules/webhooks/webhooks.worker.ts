import type { Logger } from '../../shared/infra/logger.ts';
import { PeriodicTask } from '../../shared/infra/periodic-task.ts';
import type { WebhooksUseCases } from './webhooks.use-cases.ts';

/** How the worker role's webhook work runs (config.ts: `webhooks`). */
export interface WebhooksWorkerSettings {
  /** How often the reconciler queues pending deliveries Redis lost (also at start). */
  reconcileIntervalMs: number;
  /** Pending deliveries read per page by the reconciler. */
  reconcilePageSize: number;
}

/** One queued attempt, as the delivery queue hands it to the worker. */
export interface DeliveryJob {
  deliveryId: string;
  attempt: number;
}

/** A job to run again after `retryInMs`, as it is (same attempt, nothing counted). */
export interface DeliveryJobDeferral {
  retryInMs: number;
}

/** Runs one job; resolves a deferral when the job must wait and run again. */
export type DeliveryJobHandler = (job: DeliveryJob) => Promise<DeliveryJobDeferral | undefined>;

/** The queue's consumer (BullMQ worker), running `handle` for each job it takes. */
export interface DeliveryConsumer {
  start(): void;
  /** Lets jobs in progress finish, then stops. */
  stop(): Promise<void>;
}

export interface WebhooksWorkerOptions {
  useCases: WebhooksUseCases;
  settings: WebhooksWorkerSettings;
  /** Builds the queue's consumer around the job handler. */
  consumer: (handle: DeliveryJobHandler) => DeliveryConsumer;
  /** Runs database work in its own ORM context. */
  scope: <T>(work: () => Promise<T>) => Promise<T>;
  logger: Logger;
}

export interface WebhooksWorker {
  start(): void;
  stop(): Promise<void>;
}

/**
 * The worker role's webhook work: the consumer that makes each queued attempt, and the reconciler
 * that queues pending deliveries whose jobs Redis lost.
 */
export function createWebhooksWorker(options: WebhooksWorkerOptions): WebhooksWorker {
  const { useCases, settings, scope, logger } = options;
  const consumer = options.consumer(async (job) => {
    const result = await scope(async () => useCases.sendDelivery.execute(job));
    if (result.isOk() && result.value.type === 'deferred') {
      return { retryInMs: result.value.retryInMs };
    }
    if (result.isOk() && result.value.type === 'failed') {
      logger.info(
        {
          deliveryId: job.deliveryId,
          attempt: job.attempt,
          disabled: result.value.disabledWebhook,
        },
        'webhook delivery failed',
      );
    }
    return undefined;
  });
  const reconciler = new PeriodicTask(
    'webhooks.reconcile',
    async () => {
      const result = await scope(async () =>
        useCases.reconcileDeliveries.execute({ pageSize: settings.reconcilePageSize }),
      );
      if (result.isOk() && result.value.queued > 0) {
        logger.info({ queued: result.value.queued }, 'webhook deliveries queued again');
      }
    },
    settings.reconcileIntervalMs,
    logger,
  );
  return {
    start() {
      consumer.start();
      reconciler.start();
    },
    async stop() {
      await reconciler.stop();
      await consumer.stop();
    },
  };
}
