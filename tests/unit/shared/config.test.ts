import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.ts';

describe('configuration', () => {
  it('has working local defaults for every variable', () => {
    const config = loadConfig({});
    expect(config.http).toEqual({ port: 3000, host: '0.0.0.0' });
    expect(config.role).toBe('all');
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/task_manager');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.rateLimit).toEqual({ authPerMinute: 20, userPerMinute: 100, ipv6Prefix: 64 });
    expect(config.ws).toEqual({ maxSocketsPerUser: 10 });
    expect(config.reminderLeadMinutes).toBe(60);
    expect(config.corsOrigins).toEqual([]);
    expect(config.jwt.generated).toBe(true);
    expect(config.bcryptCost).toBe(12);
    expect(config.outbox).toEqual({ listen: true, pollIntervalMs: 5_000 });
    expect(config.wsSessionCheckMs).toBe(10_000);
    expect(config.reminderReconcile).toEqual({
      intervalMs: 60_000,
      horizonMs: 600_000,
      pageSize: 500,
    });
    expect(config.tracing).toEqual({
      endpoint: undefined,
      protocol: 'http/protobuf',
      serviceName: 'task-manager-api',
      sampleRatio: 1,
      exportDelayMs: 5_000,
    });
  });

  it('reads the standard OpenTelemetry variables', () => {
    const config = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'tasks-eu',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_BSP_SCHEDULE_DELAY: '1000',
    });
    expect(config.tracing).toEqual({
      endpoint: 'http://collector:4318',
      protocol: 'http/json',
      serviceName: 'tasks-eu',
      sampleRatio: 0.25,
      exportDelayMs: 1_000,
    });
  });

  it('turns the outbox listener off and sets the polling and session-check periods', () => {
    const config = loadConfig({
      OUTBOX_LISTEN: 'false',
      OUTBOX_POLL_INTERVAL_MS: '200',
      WS_SESSION_CHECK_MS: '2000',
    });
    expect(config.outbox).toEqual({ listen: false, pollIntervalMs: 200 });
    expect(config.wsSessionCheckMs).toBe(2_000);
  });

  it('sets the reminder reconciler period, horizon and page size', () => {
    const config = loadConfig({
      REMINDER_RECONCILE_INTERVAL_MS: '5000',
      REMINDER_RECONCILE_HORIZON_MS: '120000',
      REMINDER_RECONCILE_PAGE_SIZE: '50',
    });
    expect(config.reminderReconcile).toEqual({
      intervalMs: 5_000,
      horizonMs: 120_000,
      pageSize: 50,
    });
    expect(() => loadConfig({ REMINDER_RECONCILE_PAGE_SIZE: '0' })).toThrow(ConfigError);
  });

  it('parses lists and numbers from strings', () => {
    const config = loadConfig({
      PORT: '8080',
      CORS_ORIGINS: 'https://a.example.com, https://b.example.com',
      RATE_LIMIT_USER_PER_MINUTE: '250',
      S3_FORCE_PATH_STYLE: 'true',
    });
    expect(config.http.port).toBe(8080);
    expect(config.corsOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(config.rateLimit.userPerMinute).toBe(250);
    expect(config.storage.s3.forcePathStyle).toBe(true);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['APP_ROLE', 'scheduler'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['REDIS_URL', 'not a url'],
    ['LOG_LEVEL', 'loud'],
    ['BCRYPT_COST', '10'],
    ['CORS_ORIGINS', 'https://ok.example.com,javascript:alert(1)'],
    ['JWT_SECRET', 'short'],
    ['OUTBOX_LISTEN', 'yes'],
    ['OUTBOX_POLL_INTERVAL_MS', '5'],
    ['WS_SESSION_CHECK_MS', 'often'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'grpc://collector:4317'],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc'],
    ['OTEL_TRACES_SAMPLER_ARG', '1.5'],
    ['METRICS_TOKEN', 'short'],
    ['METRICS_PORT', 'ninety'],
  ])('refuses a malformed %s and names it', (variable, value) => {
    const attempt = () => loadConfig({ [variable]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
  });

  it('holds bcrypt to cost 12 or more, except in test runs, which may go down to 4', () => {
    for (const NODE_ENV of ['development', 'test', 'production']) {
      expect(
        loadConfig({ NODE_ENV, JWT_SECRET: 'x'.repeat(32), METRICS_PORT: '9464' }).bcryptCost,
      ).toBe(12);
    }
    for (const NODE_ENV of ['development', 'production']) {
      const attempt = () =>
        loadConfig({
          NODE_ENV,
          JWT_SECRET: 'x'.repeat(32),
          METRICS_PORT: '9464',
          BCRYPT_COST: '11',
        });
      expect(attempt).toThrow(/^Invalid configuration: BCRYPT_COST must be at least 12 /);
    }
    expect(loadConfig({}).passwordHashing.allowTestCost).toBe(false);

    const test = loadConfig({ NODE_ENV: 'test', BCRYPT_COST: '4' });
    expect(test.bcryptCost).toBe(4);
    expect(test.passwordHashing.allowTestCost).toBe(true);
    expect(() => loadConfig({ NODE_ENV: 'test', BCRYPT_COST: '3' })).toThrow(
      /^Invalid configuration: BCRYPT_COST /,
    );
  });

  it('requires a 32-byte JWT_SECRET in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    const config = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(32),
      METRICS_PORT: '9464',
    });
    expect(config.jwt).toEqual({ secret: 'x'.repeat(32), generated: false });
  });

  it('never falls back to a fixed JWT secret: each process draws its own', () => {
    const first = loadConfig({});
    const second = loadConfig({});
    expect(first.jwt.generated).toBe(true);
    expect(Buffer.byteLength(first.jwt.secret)).toBeGreaterThanOrEqual(32);
    expect(second.jwt.secret).not.toBe(first.jwt.secret);
    expect(first.jwt.secret).not.toBe('development-only-secret-change-me-0123456789abcdef');
  });

  it('refuses to start in production with /metrics unprotected, in one line', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) };
    const attempt = () => loadConfig(production);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/^Invalid configuration: METRICS_TOKEN [^\n]+$/);
    expect(loadConfig({ ...production, METRICS_TOKEN: 'm'.repeat(32) }).metrics).toEqual({
      token: 'm'.repeat(32),
      port: undefined,
    });
    expect(loadConfig({ ...production, METRICS_PORT: '9464' }).metrics).toEqual({
      token: undefined,
      port: 9464,
    });
  });

  it('leaves /metrics open outside production unless told otherwise', () => {
    expect(loadConfig({}).metrics).toEqual({ token: undefined, port: undefined });
  });

  it('applies migrations at start unless MIGRATE_ON_START=false', () => {
    expect(loadConfig({}).migrateOnStart).toBe(true);
    expect(loadConfig({ MIGRATE_ON_START: 'false' }).migrateOnStart).toBe(false);
    expect(() => loadConfig({ MIGRATE_ON_START: 'no' })).toThrow(
      /^Invalid configuration: MIGRATE_ON_START /,
    );
  });

  it('requires a bucket for the S3 storage driver', () => {
    expect(() => loadConfig({ STORAGE_DRIVER: 's3' })).toThrow(/S3_BUCKET/);
  });
});

describe('storage quota and retention settings', () => {
  it('default to 1 GiB and the documented retention periods', () => {
    const config = loadConfig({});
    expect(config.storage.quotaBytes).toBe(1024 ** 3);
    expect(config.retention).toEqual({
      intervalMinutes: 60,
      batchSize: 1000,
      periods: {
        deletedTaskDays: 30,
        processedOutboxDays: 7,
        rotatedRefreshTokenDays: 7,
        endedSessionDays: 7,
        spentOneTimeTokenDays: 7,
        readNotificationDays: 90,
        finishedWebhookDeliveryDays: 30,
      },
    });
  });

  it('read the environment', () => {
    const config = loadConfig({
      STORAGE_QUOTA_BYTES: '5000',
      RETENTION_DELETED_TASK_DAYS: '3',
      RETENTION_BATCH_SIZE: '10',
    });
    expect(config.storage.quotaBytes).toBe(5000);
    expect(config.retention.periods.deletedTaskDays).toBe(3);
    expect(config.retention.batchSize).toBe(10);
  });

  it.each([
    ['STORAGE_QUOTA_BYTES', '-1'],
    ['STORAGE_QUOTA_BYTES', 'lots'],
    ['RETENTION_INTERVAL_MINUTES', '0'],
    ['RETENTION_BATCH_SIZE', '0'],
    ['RETENTION_DELETED_TASK_DAYS', '0'],
    ['RETENTION_ROTATED_REFRESH_TOKEN_DAYS', '1.5'],
  ])('refuses a malformed %s and names it', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(
      new RegExp(`^Invalid configuration: ${variable} `),
    );
  });
});
