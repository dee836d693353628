import { RequestContext } from '@mikro-orm/core';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Config } from './config.ts';
import { BackgroundMailer } from './modules/identity/adapters/mail/background-mailer.ts';
import { BcryptPasswordHasher } from './modules/identity/adapters/security/bcrypt-password-hasher.ts';
import { CryptoSecretTokens } from './modules/identity/adapters/security/crypto-secret-tokens.ts';
import { TemplateIdentityMails } from './modules/identity/adapters/mail/identity-mails.ts';
import { JoseAccessTokenService } from './modules/identity/adapters/security/jose-access-token-service.ts';
import { LogFailureReporter } from './shared/infra/log-failure-reporter.ts';
import { LogMailer } from './modules/identity/adapters/mail/log-mailer.ts';
import { identityEntities } from './modules/identity/adapters/persistence/identity.entities.ts';
import { notificationsEntities } from './modules/notifications/adapters/persistence/notifications.entities.ts';
import { MikroOrmAccessTokenRepository } from './modules/identity/adapters/persistence/mikro-orm-access-token-repository.ts';
import { MikroOrmOneTimeTokenRepository } from './modules/identity/adapters/persistence/mikro-orm-one-time-token-repository.ts';
import { MikroOrmSessionRepository } from './modules/identity/adapters/persistence/mikro-orm-session-repository.ts';
import { MikroOrmTransactionRunner } from './shared/infra/mikro-orm-transaction-runner.ts';
import { MikroOrmUserRepository } from './modules/identity/adapters/persistence/mikro-orm-user-repository.ts';
import { AnnouncingSessionStatus } from './modules/identity/adapters/redis/announcing-session-status.ts';
import { RedisSessionStatusCache } from './modules/identity/adapters/redis/redis-session-status-cache.ts';
import { RedisUnknownLoginAttempts } from './modules/identity/adapters/redis/redis-unknown-login-attempts.ts';
import { SmtpMailer } from './modules/identity/adapters/mail/smtp-mailer.ts';
import { ZxcvbnCommonPasswords } from './modules/identity/adapters/security/zxcvbn-common-passwords.ts';
import { TasksStorageUsage } from './modules/identity/adapters/tasks/tasks-storage-usage.ts';
import { TasksAccountSetup } from './modules/identity/adapters/tasks/tasks-account-setup.ts';
import type { Mailer } from './modules/identity/application/ports.ts';
import { createIdentityModule, type IdentityModule } from './modules/identity/identity.module.ts';
import type { FileStorage } from './modules/tasks/application/ports.ts';
import { IdentityUserDirectory } from './modules/tasks/adapters/identity/identity-user-directory.ts';
import { IdentityAccountDirectory } from './modules/tasks/adapters/identity/identity-account-directory.ts';
import { MailerProjectMails } from './modules/tasks/adapters/mail/mailer-project-mails.ts';
import { MikroOrmInvitationRepository } from './modules/tasks/adapters/persistence/mikro-orm-invitation-repository.ts';
import { MikroOrmAttachmentRepository } from './modules/tasks/adapters/persistence/mikro-orm-attachment-repository.ts';
import { MikroOrmCategoryRepository } from './modules/tasks/adapters/persistence/mikro-orm-category-repository.ts';
import { MikroOrmCommentRepository } from './modules/tasks/adapters/persistence/mikro-orm-comment-repository.ts';
import { MikroOrmOutbox } from './modules/tasks/adapters/persistence/mikro-orm-outbox.ts';
import { MikroOrmProjectRepository } from './modules/tasks/adapters/persistence/mikro-orm-project-repository.ts';
import { MikroOrmTaskRepository } from './modules/tasks/adapters/persistence/mikro-orm-task-repository.ts';
import { tasksEntities } from './modules/tasks/adapters/persistence/tasks.entities.ts';
import { LocalDiskFileStorage } from './modules/tasks/adapters/storage/local-disk-file-storage.ts';
import { S3FileStorage } from './modules/tasks/adapters/storage/s3-file-storage.ts';
import {
  STALE_UPLOAD_AGE_MS,
  type StaleUploadSweeper,
} from './modules/tasks/adapters/storage/stale-uploads.ts';
import { MikroOrmRetentionStore } from './modules/retention/adapters/persistence/mikro-orm-retention-store.ts';
import {
  createRetentionModule,
  type RetentionModule,
} from './modules/retention/retention.module.ts';
import { createTasksModule, type TasksModule } from './modules/tasks/tasks.module.ts';
import { createNotificationsMetrics } from './modules/notifications/adapters/observability/notifications-metrics.ts';
import { OtelEventTracing } from './modules/notifications/adapters/observability/otel-event-tracing.ts';
import { BullMqReminderJobs } from './modules/notifications/adapters/reminders/bullmq-reminder-jobs.ts';
import { MikroOrmNotificationRepository } from './modules/notifications/adapters/persistence/mikro-orm-notification-repository.ts';
import { MikroOrmOutboxSource } from './modules/notifications/adapters/persistence/mikro-orm-outbox-source.ts';
import { MikroOrmReminderStates } from './modules/notifications/adapters/persistence/mikro-orm-reminder-states.ts';
import { RedisLiveFeed } from './modules/notifications/adapters/realtime/redis-live-feed.ts';
import type { WsGatewayOptions } from './modules/notifications/adapters/realtime/ws-gateway.ts';
import { RedisWsTickets } from './modules/notifications/adapters/realtime/redis-ws-tickets.ts';
import { RedisSessionRevocations } from './modules/notifications/adapters/realtime/session-revocations.ts';
import { TasksTaskReader } from './modules/notifications/adapters/tasks/tasks-task-reader.ts';
import { createNotificationsWorker } from './modules/notifications/notifications.worker.ts';
import {
  createNotificationsModule,
  type NotificationsModule,
} from './modules/notifications/notifications.module.ts';
import { WebhooksEventSubscribers } from './modules/notifications/adapters/webhooks/webhooks-event-subscribers.ts';
import { NotificationsOwnerAlerts } from './modules/webhooks/adapters/notifications/notifications-owner-alerts.ts';
import { MikroOrmDeliveryRepository } from './modules/webhooks/adapters/persistence/mikro-orm-delivery-repository.ts';
import { MikroOrmWebhookRepository } from './modules/webhooks/adapters/persistence/mikro-orm-webhook-repository.ts';
import { webhooksEntities } from './modules/webhooks/adapters/persistence/webhooks.entities.ts';
import { BullMqDeliveryQueue } from './modules/webhooks/adapters/delivery/bullmq-delivery-queue.ts';
import { BullMqDeliveryWorker } from './modules/webhooks/adapters/delivery/bullmq-delivery-worker.ts';
import { HttpWebhookSender } from './modules/webhooks/adapters/delivery/http-webhook-sender.ts';
import {
  DEFAULT_SLOT_LEASE_MS,
  RedisEndpointSlots,
} from './modules/webhooks/adapters/delivery/redis-endpoint-slots.ts';
import { createRetrySchedule } from './modules/webhooks/adapters/delivery/retry-schedule.ts';
import { HttpWebhookUrlPolicy } from './modules/webhooks/adapters/delivery/url-policy.ts';
import { CryptoWebhookSecrets } from './modules/webhooks/adapters/security/crypto-webhook-secrets.ts';
import { TasksEventAudience } from './modules/webhooks/adapters/tasks/tasks-event-audience.ts';
import {
  createWebhooksModule,
  type WebhooksModule,
  type WebhookTransport,
} from './modules/webhooks/webhooks.module.ts';
import { createWebhooksWorker } from './modules/webhooks/webhooks.worker.ts';
import { systemClock, type Clock } from './shared/domain/clock.ts';
import type { IdempotencyStore } from './shared/domain/idempotency-store.ts';
import type { RateLimiter } from './shared/domain/rate-limiter.ts';
import type { ReadinessCheck } from './shared/http/operations.routes.ts';
import { DetachedWork } from './shared/infra/detached-work.ts';
import { createLogger, type Logger } from './shared/infra/logger.ts';
import { createMetrics, type Metrics } from './shared/infra/metrics.ts';
import { createOrm, pingDatabase, type Orm } from './shared/infra/orm.ts';
import { RedisIdempotencyStore } from './shared/infra/redis-idempotency-store.ts';
import { RedisRateLimiter } from './shared/infra/redis-rate-limiter.ts';
import { closeRedis, connectQuietly, createQueueRedis, createRedis } from './shared/infra/redis.ts';
import { tracingOff, type Tracing } from './shared/infra/tracing.ts';
import { UuidV7Ids } from './shared/infra/uuid-v7-ids.ts';

/** Entity schemas of every module, for the ORM and its tooling. */
export const entities = [
  ...identityEntities,
  ...tasksEntities,
  ...notificationsEntities,
  ...webhooksEntities,
];

export interface Container {
  config: Config;
  version: string;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  orm: Orm;
  redis: Redis;
  rateLimiter: RateLimiter;
  /** Idempotency keys and the answers stored under them. */
  idempotency: IdempotencyStore;
  mailer: BackgroundMailer;
  /** Work requests start and do not wait for; drained on close, before the mailer. */
  detached: DetachedWork;
  identity: IdentityModule;
  tasks: TasksModule;
  notifications: NotificationsModule;
  webhooks: WebhooksModule;
  retention: RetentionModule['useCases'];
  readinessChecks: ReadinessCheck[];
  /** OpenTelemetry, as started by the entry point (off unless configured). */
  tracing: Tracing;
  /**
   * Opens connections that are created lazily and starts the sweep of stale upload files (now and
   * periodically); never throws when a dependency is down.
   */
  start(): Promise<void>;
  /**
   * The worker role's background work: the outbox relay, the reminder job worker, the reminder
   * reconciler and the retention job. Stop it before `close()`.
   */
  startWorker(): BackgroundWork;
  close(): Promise<void>;
}

export interface BackgroundWork {
  /** Lets work in progress finish, then stops. */
  stop(): Promise<void>;
}

export interface ContainerOverrides {
  logger?: Logger;
  orm?: Orm;
  clock?: Clock;
  /** The mailer behind the background queue (tests record mail with it). */
  mailer?: Mailer;
  files?: FileStorage & StaleUploadSweeper;
  /** WebSocket timings (tests shorten them). */
  realtime?: Pick<
    WsGatewayOptions,
    'heartbeatMs' | 'sessionCheckMs' | 'maxBufferedBytes' | 'clientFrames'
  >;
  /** Tracing, started before anything else (see `startTracing`); off by default. */
  tracing?: Tracing;
  /**
   * What carries webhook deliveries (signing sender, queue, slots, backoff); tests that drive the
   * webhooks module in-process replace it with one whose queue they can empty.
   */
  webhookTransport?: WebhookTransport;
}

const packageJson = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as {
  version: string;
};

/** How long an attempt waits in the worker for a free slot of its endpoint. */
const WEBHOOK_SLOT_WAIT_MS = 500;
/** Then how long its job waits in the queue before it tries again. */
const WEBHOOK_BUSY_RETRY_MS = 1_000;

/** Pending deliveries the reconciler reads at once. */
const WEBHOOK_RECONCILE_PAGE_SIZE = 500;

/** How long closing waits for mail in flight before giving up on what is still retrying. */
const MAIL_DRAIN_MS = 3_000;

/** This release's version (package.json). */
export const serviceVersion = packageJson.version;

/** The composition root: the one place that constructs adapters. */
export function buildContainer(config: Config, overrides: ContainerOverrides = {}): Container {
  const tracing = overrides.tracing ?? tracingOff;
  const logger =
    overrides.logger ??
    createLogger({
      level: config.logLevel,
      ...(tracing.logFields ? { mixin: tracing.logFields } : {}),
    });
  const metrics = createMetrics();
  const clock = overrides.clock ?? systemClock;
  const orm = overrides.orm ?? createOrm({ databaseUrl: config.databaseUrl, entities, logger });
  // Commands issued in the same tick (an authenticated request's session check and rate-limit
  // count) leave in one write and come back in one round trip.
  const redis = createRedis(config.redisUrl, logger, 'app', { enableAutoPipelining: true });
  const em = orm.em;
  const rateLimiter = new RedisRateLimiter(redis, logger, metrics, { clock });
  const idempotency = new RedisIdempotencyStore(redis);

  const deliveringMailer =
    overrides.mailer ??
    (config.mail.smtpUrl
      ? new SmtpMailer({ url: config.mail.smtpUrl, from: config.mail.from })
      : new LogMailer(logger, { revealLinks: config.env === 'development' }));
  const mailer = new BackgroundMailer(deliveringMailer, logger);
  const detached = new DetachedWork(logger);

  const ids = new UuidV7Ids();
  const transactions = new MikroOrmTransactionRunner(em);
  const failures = new LogFailureReporter(logger);
  const users = new MikroOrmUserRepository(em);

  const files = overrides.files ?? fileStorage(config);
  const tasks = createTasksModule({
    projects: new MikroOrmProjectRepository(em),
    invitations: new MikroOrmInvitationRepository(em),
    accounts: new IdentityAccountDirectory(users),
    projectMails: new MailerProjectMails(mailer, config.appBaseUrl),
    rateLimiter,
    tasks: new MikroOrmTaskRepository(em),
    categories: new MikroOrmCategoryRepository(em),
    comments: new MikroOrmCommentRepository(em),
    attachments: new MikroOrmAttachmentRepository(em),
    outbox: new MikroOrmOutbox(em, ids),
    users: new IdentityUserDirectory(users),
    files,
    reminders: { leadMinutes: config.reminderLeadMinutes },
    storageQuota: { bytesPerUser: config.storage.quotaBytes },
    ids,
    clock,
    transactions,
    failures,
  });

  const identity = createIdentityModule({
    users,
    sessions: new MikroOrmSessionRepository(em),
    personalTokens: new MikroOrmAccessTokenRepository(em),
    oneTimeTokens: new MikroOrmOneTimeTokenRepository(em),
    passwordHasher: new BcryptPasswordHasher(config.bcryptCost, config.passwordHashing),
    accessTokens: new JoseAccessTokenService({ secret: config.jwt.secret }),
    secretTokens: new CryptoSecretTokens(),
    sessionStatus: new AnnouncingSessionStatus(
      new RedisSessionStatusCache(redis, logger),
      new RedisSessionRevocations(redis),
      failures,
    ),
    mailer,
    mails: new TemplateIdentityMails(config.appBaseUrl),
    ids,
    clock,
    transactions,
    rateLimiter,
    unknownLogins: new RedisUnknownLoginAttempts(redis, logger),
    commonPasswords: new ZxcvbnCommonPasswords(),
    failures,
    storageUsage: new TasksStorageUsage(tasks.useCases.getStorageUsage),
    accountSetup: new TasksAccountSetup(tasks.useCases.createInbox),
  });

  const scope = <T>(work: () => Promise<T>) => RequestContext.create(orm.em, work);
  const notificationsMetrics = createNotificationsMetrics(metrics.registry);
  const queueConnection = (name: string) => () => createQueueRedis(config.redisUrl, logger, name);
  const reminderJobs = new BullMqReminderJobs(
    queueConnection('reminder-queue'),
    config.queuePrefix,
    tracing.bullmq,
  );
  const notifications = createNotificationsModule(
    {
      outbox: new MikroOrmOutboxSource(em),
      notifications: new MikroOrmNotificationRepository(em),
      reminderStates: new MikroOrmReminderStates(em),
      live: new RedisLiveFeed(redis),
      // Webhooks are built below; relaying starts only after the container is.
      subscribers: new WebhooksEventSubscribers({
        execute: (events) => webhooks.useCases.recordEventDeliveries.execute(events),
      }),
      liveSessions: identity.liveSessions,
      tracing: new OtelEventTracing(),
      tickets: new RedisWsTickets(redis),
      reminderJobs,
      tasks: new TasksTaskReader(tasks.useCases.getTask, tasks.useCases.whoCanSeeTask),
      reminders: { leadMinutes: config.reminderLeadMinutes },
      ids,
      clock,
      transactions,
      failures,
    },
    {
      logger,
      scope,
      subscriber: () => createQueueRedis(config.redisUrl, logger, 'live-subscriber'),
      hooks: notificationsMetrics.gateway,
      sessionCheckMs: config.wsSessionCheckMs,
      maxSocketsPerUser: config.ws.maxSocketsPerUser,
      ...overrides.realtime,
    },
  );

  const webhookTransport =
    overrides.webhookTransport ?? httpWebhookTransport(config, logger, queueConnection, tracing);
  const webhooks = createWebhooksModule({
    webhooks: new MikroOrmWebhookRepository(em),
    deliveries: new MikroOrmDeliveryRepository(em),
    secrets: new CryptoWebhookSecrets(),
    urlPolicy: webhookTransport.urlPolicy,
    sender: webhookTransport.sender,
    queue: webhookTransport.queue,
    slots: webhookTransport.slots,
    retrySchedule: webhookTransport.retrySchedule,
    audience: new TasksEventAudience(em, tasks.useCases.whoCanSeeTask),
    alerts: new NotificationsOwnerAlerts(notifications.useCases.storeAlert),
    settings: { allowPrivate: config.webhooks.allowPrivate, busyRetryMs: WEBHOOK_BUSY_RETRY_MS },
    ids,
    clock,
    transactions,
    failures,
  });

  const retention = createRetentionModule(
    {
      store: new MikroOrmRetentionStore(em),
      blobs: files,
      clock,
      failures,
      periods: config.retention.periods,
      batchSize: config.retention.batchSize,
    },
    {
      uploads: files,
      settings: {
        intervalMinutes: config.retention.intervalMinutes,
        staleUploadAgeMs: STALE_UPLOAD_AGE_MS,
      },
      logger,
      registry: metrics.registry,
    },
  );

  const readinessChecks: ReadinessCheck[] = [
    { name: 'database', check: () => pingDatabase(orm) },
    { name: 'redis', check: () => redis.ping().then(() => undefined) },
  ];

  return {
    config,
    version: packageJson.version,
    logger,
    metrics,
    clock,
    orm,
    redis,
    rateLimiter,
    idempotency,
    mailer,
    detached,
    identity,
    tasks,
    notifications,
    webhooks,
    retention: retention.useCases,
    readinessChecks,
    tracing,
    async start() {
      retention.uploadSweep.start();
      await connectQuietly(redis);
    },
    startWorker() {
      const notificationsWorker = createNotificationsWorker({
        useCases: notifications.useCases,
        settings: {
          outbox: config.outbox,
          reminders: {
            jobLockMs: config.reminderJobLockMs,
            reconcileIntervalMs: config.reminderReconcile.intervalMs,
            reconcileHorizonMs: config.reminderReconcile.horizonMs,
            reconcilePageSize: config.reminderReconcile.pageSize,
          },
        },
        databaseUrl: config.databaseUrl,
        queueConnection: queueConnection('reminder-worker'),
        queuePrefix: config.queuePrefix,
        scope,
        logger,
        clock,
        metrics: notificationsMetrics,
        telemetry: tracing.bullmq,
      });
      const retentionJob = retention.createWorker({
        queueConnection: queueConnection('retention'),
        queuePrefix: config.queuePrefix,
        scope,
      });
      const webhooksWorker = createWebhooksWorker({
        useCases: webhooks.useCases,
        settings: {
          reconcileIntervalMs: config.webhooks.reconcileIntervalMs,
          reconcilePageSize: WEBHOOK_RECONCILE_PAGE_SIZE,
        },
        consumer: (handle) => webhookTransport.consumer(handle),
        scope,
        logger,
      });
      notificationsWorker.start();
      webhooksWorker.start();
      const retentionStarted = retentionJob
        .start()
        .catch((error: unknown) =>
          logger.warn(
            { err: { message: (error as Error).message } },
            'retention job not scheduled; the next worker start retries',
          ),
        );
      return {
        async stop() {
          await notificationsWorker.stop();
          await webhooksWorker.stop();
          await retentionStarted;
          await retentionJob.stop();
        },
      };
    },
    async close() {
      await retention.uploadSweep.stop();
      // Give mail in flight a moment; what is still retrying after that is given up (logged).
      await Promise.race([
        detached.drain().then(() => mailer.drain()),
        new Promise((resolve) => setTimeout(resolve, MAIL_DRAIN_MS).unref()),
      ]);
      await reminderJobs.close().catch(() => undefined);
      await webhookTransport.close().catch(() => undefined);
      await Promise.allSettled([closeRedis(redis), orm.close()]);
    },
  };
}

/**
 * Deliveries over HTTP(S), signed, to checked addresses only; attempts queued in BullMQ under the
 * queue prefix; at most `maxConcurrentPerEndpoint` in flight per webhook across processes.
 */
function httpWebhookTransport(
  config: Config,
  logger: Logger,
  queueConnection: (name: string) => () => Redis,
  tracing: Tracing,
): WebhookTransport {
  const settings = config.webhooks;
  const queue = new BullMqDeliveryQueue(
    queueConnection('webhook-queue'),
    config.queuePrefix,
    tracing.bullmq,
  );
  // A slot is taken on the delivery path: fail fast rather than hold the attempt on a dead Redis.
  const slotsRedis = createRedis(config.redisUrl, logger, 'webhook-slots');
  const slots = new RedisEndpointSlots(slotsRedis, {
    slotsPerWebhook: settings.maxConcurrentPerEndpoint,
    // A slot is never renewed: its lease must outlast the longest attempt and its bookkeeping.
    leaseMs: Math.max(DEFAULT_SLOT_LEASE_MS, settings.timeoutMs * 2),
    prefix: config.queuePrefix,
    waitMs: WEBHOOK_SLOT_WAIT_MS,
  });
  let connected: Promise<void> | undefined;
  const workers: BullMqDeliveryWorker[] = [];
  return {
    sender: new HttpWebhookSender({
      allowPrivate: settings.allowPrivate,
      timeoutMs: settings.timeoutMs,
    }),
    urlPolicy: new HttpWebhookUrlPolicy({ allowPrivate: settings.allowPrivate }),
    queue,
    slots: {
      async acquire(webhookId) {
        // Every caller waits for the one first connection: without an offline queue, a command
        // sent while it is still being made fails.
        connected ??= connectQuietly(slotsRedis);
        await connected;
        return slots.acquire(webhookId);
      },
    },
    retrySchedule: createRetrySchedule(),
    consumer(handle) {
      const worker = new BullMqDeliveryWorker({
        connect: queueConnection('webhook-worker'),
        prefix: config.queuePrefix,
        handler: (deliveryId, attempt) => handle({ deliveryId, attempt }),
        logger,
        concurrency: settings.workerConcurrency,
        lockMs: settings.jobLockMs,
        ...(tracing.bullmq ? { telemetry: tracing.bullmq } : {}),
      });
      workers.push(worker);
      return { start: () => worker.start(), stop: () => worker.close() };
    },
    async close() {
      await Promise.allSettled(workers.map((worker) => worker.close()));
      await queue.close();
      await closeRedis(slotsRedis);
    },
  };
}

function fileStorage(config: Config): FileStorage & StaleUploadSweeper {
  const { driver, dir, s3 } = config.storage;
  if (driver === 'local') return new LocalDiskFileStorage(dir);
  return new S3FileStorage({
    bucket: s3.bucket ?? '',
    ...(s3.region === undefined ? {} : { region: s3.region }),
    ...(s3.endpoint === undefined ? {} : { endpoint: s3.endpoint }),
    forcePathStyle: s3.forcePathStyle,
    // Uploads are spooled to disk before they are sent; keep that off a memory-backed /tmp.
    spoolDir: path.join(dir, '.spool'),
  });
}
