import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { z } from 'zod';

const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const integer = (fallback: number, min: number, max: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(min).max(max).default(fallback));
const url = (fallback: string, protocols: readonly string[]) =>
  z.preprocess(
    emptyToUndefined,
    z.url({ protocol: new RegExp(`^(${protocols.join('|')})$`) }).default(fallback),
  );
const boolean = (fallback: boolean) =>
  z.preprocess(
    emptyToUndefined,
    z
      .enum(['true', 'false'])
      .default(fallback ? 'true' : 'false')
      .transform((value) => value === 'true'),
  );
const commaList = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .optional()
    .transform((value) =>
      (value ?? '')
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    ),
);

/** The lowest bcrypt cost wherever real passwords are hashed (README, security notes). */
const MIN_BCRYPT_COST = 12;

const envSchema = z
  .object({
    NODE_ENV: z.preprocess(
      emptyToUndefined,
      z.enum(['development', 'test', 'production']).default('development'),
    ),
    PORT: integer(3000, 0, 65535),
    HOST: z.preprocess(emptyToUndefined, z.string().min(1).default('0.0.0.0')),
    APP_ROLE: z.preprocess(emptyToUndefined, z.enum(['api', 'worker', 'all']).default('all')),
    DATABASE_URL: url('postgres://postgres@127.0.0.1:5432/task_manager', [
      'postgres',
      'postgresql',
    ]),
    REDIS_URL: url('redis://127.0.0.1:6379', ['redis', 'rediss']),
    JWT_SECRET: optionalString,
    APP_BASE_URL: url('http://localhost:3000', ['http', 'https']),
    SMTP_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^smtps?$/ }).optional()),
    MAIL_FROM: z.preprocess(emptyToUndefined, z.string().min(3).default('no-reply@localhost')),
    STORAGE_DRIVER: z.preprocess(emptyToUndefined, z.enum(['local', 's3']).default('local')),
    STORAGE_DIR: z.preprocess(emptyToUndefined, z.string().min(1).default('./var/attachments')),
    S3_BUCKET: optionalString,
    S3_REGION: optionalString,
    S3_ENDPOINT: z.preprocess(emptyToUndefined, z.url().optional()),
    S3_FORCE_PATH_STYLE: z.preprocess(
      emptyToUndefined,
      z
        .enum(['true', 'false'])
        .default('false')
        .transform((value) => value === 'true'),
    ),
    STORAGE_QUOTA_BYTES: integer(1024 ** 3, 0, Number.MAX_SAFE_INTEGER),
    REMINDER_LEAD_MINUTES: integer(60, 0, 60 * 24 * 30),
    REMINDER_JOB_LOCK_MS: integer(30_000, 1_000, 10 * 60_000),
    REMINDER_RECONCILE_INTERVAL_MS: integer(60_000, 1_000, 60 * 60_000),
    REMINDER_RECONCILE_HORIZON_MS: integer(10 * 60_000, 1_000, 24 * 60 * 60_000),
    REMINDER_RECONCILE_PAGE_SIZE: integer(500, 1, 10_000),
    QUEUE_PREFIX: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ or -')
        .default('bull'),
    ),
    OUTBOX_LISTEN: boolean(true),
    OUTBOX_POLL_INTERVAL_MS: integer(5_000, 20, 10 * 60_000),
    WS_SESSION_CHECK_MS: integer(10_000, 100, 10 * 60_000),
    RATE_LIMIT_AUTH_PER_MINUTE: integer(20, 1, 1_000_000),
    RATE_LIMIT_USER_PER_MINUTE: integer(100, 1, 1_000_000),
    RATE_LIMIT_IPV6_PREFIX: integer(64, 1, 128),
    WS_MAX_SOCKETS_PER_USER: integer(10, 1, 1_000),
    METRICS_TOKEN: z.preprocess(
      emptyToUndefined,
      z.string().min(16, 'must be at least 16 characters').optional(),
    ),
    METRICS_PORT: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(0).max(65535).optional(),
    ),
    // 4 (bcrypt's own minimum) only for test runs: the superRefine below holds every other run to 12.
    BCRYPT_COST: integer(12, 4, 16),
    PASSWORD_HASH_CONCURRENCY: integer(availableParallelism(), 1, 256),
    PASSWORD_HASH_QUEUE: integer(32, 0, 10_000),
    TRUST_PROXY: optionalString,
    CORS_ORIGINS: commaList.pipe(z.array(z.url({ protocol: /^https?$/ }))),
    LOG_LEVEL: z.preprocess(
      emptyToUndefined,
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ),
    SHUTDOWN_TIMEOUT_MS: integer(10_000, 0, 120_000),
    MIGRATE_ON_START: z.preprocess(
      emptyToUndefined,
      z
        .enum(['true', 'false'])
        .default('true')
        .transform((value) => value === 'true'),
    ),
    RETENTION_INTERVAL_MINUTES: integer(60, 1, 24 * 60),
    RETENTION_BATCH_SIZE: integer(1000, 1, 100_000),
    RETENTION_DELETED_TASK_DAYS: integer(30, 1, 3650),
    RETENTION_PROCESSED_OUTBOX_DAYS: integer(7, 1, 3650),
    RETENTION_ROTATED_REFRESH_TOKEN_DAYS: integer(7, 1, 3650),
    RETENTION_ENDED_SESSION_DAYS: integer(7, 1, 3650),
    RETENTION_SPENT_ONE_TIME_TOKEN_DAYS: integer(7, 1, 3650),
    RETENTION_READ_NOTIFICATION_DAYS: integer(90, 1, 3650),
    RETENTION_WEBHOOK_DELIVERY_DAYS: integer(30, 1, 3650),
    WEBHOOK_ALLOW_PRIVATE: boolean(false),
    WEBHOOK_RECONCILE_INTERVAL_MS: integer(60_000, 100, 60 * 60_000),
    WEBHOOK_TIMEOUT_MS: integer(10_000, 100, 60_000),
    WEBHOOK_MAX_CONCURRENT_PER_ENDPOINT: integer(4, 1, 100),
    WEBHOOK_WORKER_CONCURRENCY: integer(16, 1, 1_000),
    WEBHOOK_JOB_LOCK_MS: integer(30_000, 1_000, 10 * 60_000),
    OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(
      emptyToUndefined,
      z.url({ protocol: /^https?$/ }).optional(),
    ),
    OTEL_EXPORTER_OTLP_PROTOCOL: z.preprocess(
      emptyToUndefined,
      z.enum(['http/protobuf', 'http/json']).default('http/protobuf'),
    ),
    OTEL_SERVICE_NAME: z.preprocess(
      emptyToUndefined,
      z.string().min(1).default('task-manager-api'),
    ),
    OTEL_TRACES_SAMPLER_ARG: z.preprocess(
      emptyToUndefined,
      z.coerce.number().min(0).max(1).default(1),
    ),
    OTEL_BSP_SCHEDULE_DELAY: integer(5_000, 10, 60_000),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && Buffer.byteLength(env.JWT_SECRET ?? '') < 32) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_SECRET'],
        message: 'must be set to at least 32 bytes when NODE_ENV=production',
      });
    }
    if (env.JWT_SECRET !== undefined && Buffer.byteLength(env.JWT_SECRET) < 32) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'must be at least 32 bytes' });
    }
    if (
      env.NODE_ENV === 'production' &&
      env.METRICS_TOKEN === undefined &&
      env.METRICS_PORT === undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['METRICS_TOKEN'],
        message: 'or METRICS_PORT must be set when NODE_ENV=production (/metrics would be public)',
      });
    }
    if (env.BCRYPT_COST < MIN_BCRYPT_COST && env.NODE_ENV !== 'test') {
      ctx.addIssue({
        code: 'custom',
        path: ['BCRYPT_COST'],
        message: `must be at least ${MIN_BCRYPT_COST} (lower costs only with NODE_ENV=test)`,
      });
    }
    if (env.STORAGE_DRIVER === 's3' && !env.S3_BUCKET) {
      ctx.addIssue({
        code: 'custom',
        path: ['S3_BUCKET'],
        message: 'is required when STORAGE_DRIVER=s3',
      });
    }
  });

export type Config = ReturnType<typeof toConfig>;

export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`Invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

/** Parses the process environment; throws a `ConfigError` naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(variable, describeIssue(issue));
  }
  return toConfig(parsed.data);
}

function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'is invalid';
  if (issue.code === 'custom') return issue.message;
  return `is invalid (${issue.message})`;
}

function toConfig(env: z.infer<typeof envSchema>) {
  return {
    env: env.NODE_ENV,
    http: { port: env.PORT, host: env.HOST },
    role: env.APP_ROLE,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    jwt: {
      // Never a fixed fallback: a secret in the repository would let anyone forge tokens. A drawn
      // one dies with the process and is not shared between instances (main.ts warns about it).
      secret: env.JWT_SECRET ?? randomBytes(48).toString('base64url'),
      generated: env.JWT_SECRET === undefined,
    },
    appBaseUrl: env.APP_BASE_URL.replace(/\/+$/, ''),
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM },
    storage: {
      driver: env.STORAGE_DRIVER,
      dir: env.STORAGE_DIR,
      s3: {
        bucket: env.S3_BUCKET,
        region: env.S3_REGION,
        endpoint: env.S3_ENDPOINT,
        forcePathStyle: env.S3_FORCE_PATH_STYLE,
      },
      /** What one user's attachments may take in all. */
      quotaBytes: env.STORAGE_QUOTA_BYTES,
    },
    reminderLeadMinutes: env.REMINDER_LEAD_MINUTES,
    /** Namespace of the BullMQ keys in Redis (one per deployment, or per test run). */
    queuePrefix: env.QUEUE_PREFIX,
    /**
     * How long a reminder job's lock lasts without renewal; a job whose worker died is retried this
     * long (at most twice this) after it stalled.
     */
    reminderJobLockMs: env.REMINDER_JOB_LOCK_MS,
    /**
     * The worker's reminder reconciler, which reschedules reminders Redis lost: how often it runs
     * (and once at start), how far ahead it looks for due reminders, and how many it reads at once.
     */
    reminderReconcile: {
      intervalMs: env.REMINDER_RECONCILE_INTERVAL_MS,
      horizonMs: env.REMINDER_RECONCILE_HORIZON_MS,
      pageSize: env.REMINDER_RECONCILE_PAGE_SIZE,
    },
    outbox: {
      /** Wake the relay on PostgreSQL NOTIFY as rows commit. */
      listen: env.OUTBOX_LISTEN,
      /** Polling period: the safety net with `listen`, the delivery delay without it. */
      pollIntervalMs: env.OUTBOX_POLL_INTERVAL_MS,
    },
    /**
     * How often each API instance re-checks the sessions of its open sockets in the database: the
     * bound on how long a socket outlives its session when the revocation announcement is lost.
     */
    wsSessionCheckMs: env.WS_SESSION_CHECK_MS,
    rateLimit: {
      authPerMinute: env.RATE_LIMIT_AUTH_PER_MINUTE,
      userPerMinute: env.RATE_LIMIT_USER_PER_MINUTE,
      /** IPv6 clients share a bucket per prefix of this length (one /64 is one subscriber). */
      ipv6Prefix: env.RATE_LIMIT_IPV6_PREFIX,
    },
    ws: { maxSocketsPerUser: env.WS_MAX_SOCKETS_PER_USER },
    /** Bearer token required by /metrics, and/or a separate listener that alone serves it. */
    metrics: { token: env.METRICS_TOKEN, port: env.METRICS_PORT },
    bcryptCost: env.BCRYPT_COST,
    /** Hashes at once, and hashes waiting beyond those before a 503 `server_busy`. */
    passwordHashing: {
      concurrency: env.PASSWORD_HASH_CONCURRENCY,
      maxWaiting: env.PASSWORD_HASH_QUEUE,
      /** A cost below 12: test runs only, where cost-12 hashes would take most of the run's time. */
      allowTestCost: env.NODE_ENV === 'test',
    },
    trustProxy: env.TRUST_PROXY,
    corsOrigins: env.CORS_ORIGINS,
    logLevel: env.LOG_LEVEL,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    /**
     * Whether start-up applies pending migrations. Off where a separate step migrates before a
     * rollout, so replicas never run schema changes while the old version still serves.
     */
    migrateOnStart: env.MIGRATE_ON_START,
    /** The worker role's retention job: what it keeps, and how it deletes the rest. */
    retention: {
      intervalMinutes: env.RETENTION_INTERVAL_MINUTES,
      batchSize: env.RETENTION_BATCH_SIZE,
      periods: {
        deletedTaskDays: env.RETENTION_DELETED_TASK_DAYS,
        processedOutboxDays: env.RETENTION_PROCESSED_OUTBOX_DAYS,
        rotatedRefreshTokenDays: env.RETENTION_ROTATED_REFRESH_TOKEN_DAYS,
        endedSessionDays: env.RETENTION_ENDED_SESSION_DAYS,
        spentOneTimeTokenDays: env.RETENTION_SPENT_ONE_TIME_TOKEN_DAYS,
        readNotificationDays: env.RETENTION_READ_NOTIFICATION_DAYS,
        finishedWebhookDeliveryDays: env.RETENTION_WEBHOOK_DELIVERY_DAYS,
      },
    },
    webhooks: {
      /**
       * Accept `http` URLs and private, loopback and link-local addresses for webhooks: for local
       * use and tests only, since it lets a user make the service call into its own network.
       */
      allowPrivate: env.WEBHOOK_ALLOW_PRIVATE,
      /** How often the worker queues pending deliveries whose jobs Redis lost (also at start). */
      reconcileIntervalMs: env.WEBHOOK_RECONCILE_INTERVAL_MS,
      /** One deadline per attempt: DNS, connect, TLS, the answer's headers and its body. */
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      /** Attempts in flight to one webhook at once, across every worker process. */
      maxConcurrentPerEndpoint: env.WEBHOOK_MAX_CONCURRENT_PER_ENDPOINT,
      /** Attempts one worker process runs at once, across webhooks. */
      workerConcurrency: env.WEBHOOK_WORKER_CONCURRENCY,
      /** Lock of a running delivery job; a job whose worker died runs again after at most twice this. */
      jobLockMs: env.WEBHOOK_JOB_LOCK_MS,
    },
    /** OpenTelemetry traces, exported over OTLP/HTTP; off unless an endpoint is set. */
    tracing: {
      endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
      protocol: env.OTEL_EXPORTER_OTLP_PROTOCOL,
      serviceName: env.OTEL_SERVICE_NAME,
      sampleRatio: env.OTEL_TRACES_SAMPLER_ARG,
      exportDelayMs: env.OTEL_BSP_SCHEDULE_DELAY,
    },
  };
}
