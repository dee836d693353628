import { availableParallelism } from 'node:os';
import { z } from 'zod';

const DEV_JWT_SECRET = 'development-only-secret-change-me-0123456789abcdef';

const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const integer = (fallback: number, min: number, max: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(min).max(max).default(fallback));
const url = (fallback: string, protocols: readonly string[]) =>
  z.preprocess(
    emptyToUndefined,
    z.url({ protocol: new RegExp(`^(${protocols.join('|')})$`) }).default(fallback),
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
    REMINDER_LEAD_MINUTES: integer(60, 0, 60 * 24 * 30),
    REMINDER_JOB_LOCK_MS: integer(30_000, 1_000, 10 * 60_000),
    QUEUE_PREFIX: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ or -')
        .default('bull'),
    ),
    RATE_LIMIT_AUTH_PER_MINUTE: integer(20, 1, 1_000_000),
    RATE_LIMIT_USER_PER_MINUTE: integer(100, 1, 1_000_000),
    BCRYPT_COST: integer(12, 12, 16),
    PASSWORD_HASH_CONCURRENCY: integer(availableParallelism(), 1, 256),
    PASSWORD_HASH_QUEUE: integer(32, 0, 10_000),
    TRUST_PROXY: optionalString,
    CORS_ORIGINS: commaList.pipe(z.array(z.url({ protocol: /^https?$/ }))),
    LOG_LEVEL: z.preprocess(
      emptyToUndefined,
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ),
    SHUTDOWN_TIMEOUT_MS: integer(10_000, 0, 120_000),
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
      secret: env.JWT_SECRET ?? DEV_JWT_SECRET,
      usingDevelopmentSecret: env.JWT_SECRET === undefined,
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
    },
    reminderLeadMinutes: env.REMINDER_LEAD_MINUTES,
    /** Namespace of the BullMQ keys in Redis (one per deployment, or per test run). */
    queuePrefix: env.QUEUE_PREFIX,
    /**
     * How long a reminder job's lock lasts without renewal; a job whose worker died is retried this
     * long (at most twice this) after it stalled.
     */
    reminderJobLockMs: env.REMINDER_JOB_LOCK_MS,
    rateLimit: {
      authPerMinute: env.RATE_LIMIT_AUTH_PER_MINUTE,
      userPerMinute: env.RATE_LIMIT_USER_PER_MINUTE,
    },
    bcryptCost: env.BCRYPT_COST,
    /** Hashes at once, and hashes waiting beyond those before a 503 `server_busy`. */
    passwordHashing: {
      concurrency: env.PASSWORD_HASH_CONCURRENCY,
      maxWaiting: env.PASSWORD_HASH_QUEUE,
    },
    trustProxy: env.TRUST_PROXY,
    corsOrigins: env.CORS_ORIGINS,
    logLevel: env.LOG_LEVEL,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
  };
}
