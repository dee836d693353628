import type { Telemetry } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Clock } from '../../shared/domain/clock.ts';
import type { Logger } from '../../shared/infra/logger.ts';
import { PeriodicTask } from '../../shared/infra/periodic-task.ts';
import type { NotificationsMetrics } from './adapters/observability/notifications-metrics.ts';
import { OutboxRelayLoop } from './adapters/outbox/outbox-relay-loop.ts';
import { PgOutboxListener } from './adapters/outbox/pg-outbox-listener.ts';
import { BullMqReminderWorker } from './adapters/reminders/bullmq-reminder-worker.ts';
import type { NotificationsUseCases } from './notifications.use-cases.ts';

/** How the worker role's notification work runs (config.ts: `outbox`, `reminders`). */
export interface NotificationsWorkerSettings {
  outbox: {
    /** Wake the relay on PostgreSQL NOTIFY as outbox rows commit (needs `databaseUrl`). */
    listen: boolean;
    /** Polling period of the relay: the safety net with `listen`, the delivery delay without. */
    pollIntervalMs: number;
  };
  reminders: {
    /** Lock of a running reminder job; a job whose worker died is retried after this. */
    jobLockMs: number;
    /** How often the reconciler reschedules due reminders Redis may have lost (also at start). */
    reconcileIntervalMs: number;
    /** How far ahead the reconciler looks for due reminders. */
    reconcileHorizonMs: number;
    /** Reminders read per page by the reconciler. */
    reconcilePageSize: number;
  };
}

export interface NotificationsWorkerOptions {
  useCases: NotificationsUseCases;
  settings: NotificationsWorkerSettings;
  /** For the outbox listener's own connection. */
  databaseUrl: string;
  /** A new Redis connection for the reminder job worker. */
  queueConnection: () => Redis;
  queuePrefix: string;
  /** Runs database work in its own ORM context. */
  scope: <T>(work: () => Promise<T>) => Promise<T>;
  logger: Logger;
  clock: Clock;
  metrics: NotificationsMetrics;
  /** BullMQ's tracing, when tracing is on. */
  telemetry?: Telemetry | undefined;
}

export interface NotificationsWorker {
  start(): void;
  /** Lets work in progress finish, then stops. */
  stop(): Promise<void>;
}

/**
 * The worker role's notification work: the outbox relay (woken by the outbox listener), the
 * reminder job worker, and the reconciler that reschedules reminders Redis lost.
 */
export function createNotificationsWorker(
  options: NotificationsWorkerOptions,
): NotificationsWorker {
  const { useCases, settings, scope, logger, metrics, clock } = options;
  const relay = new OutboxRelayLoop(useCases.relayOutbox, {
    logger,
    scope,
    idleMs: settings.outbox.pollIntervalMs,
    onBatch: (outcome) => metrics.relayed(outcome, clock.now()),
  });
  const listener = settings.outbox.listen
    ? new PgOutboxListener({
        databaseUrl: options.databaseUrl,
        logger,
        onWake: () => relay.wake(),
      })
    : undefined;
  const reminderWorker = new BullMqReminderWorker({
    connect: options.queueConnection,
    prefix: options.queuePrefix,
    lockMs: settings.reminders.jobLockMs,
    ...(options.telemetry ? { telemetry: options.telemetry } : {}),
    hooks: metrics.reminders,
    useCases,
    scope,
    logger,
  });
  const reconciler = new PeriodicTask(
    'reminders.reconcile',
    async () => {
      const result = await scope(async () =>
        useCases.reconcileReminders.execute({
          horizonMs: settings.reminders.reconcileHorizonMs,
          pageSize: settings.reminders.reconcilePageSize,
        }),
      );
      if (result.isOk() && result.value.scheduled > 0) {
        logger.debug({ scheduled: result.value.scheduled }, 'reminders reconciled');
      }
    },
    settings.reminders.reconcileIntervalMs,
    logger,
  );
  return {
    start() {
      reminderWorker.start();
      relay.start();
      listener?.start();
      reconciler.start();
    },
    async stop() {
      await listener?.stop();
      await Promise.all([relay.stop(), reconciler.stop()]);
      await reminderWorker.stop();
    },
  };
}
