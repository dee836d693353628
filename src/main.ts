import { ConfigError, loadConfig, type Config } from './config.ts';
import { buildContainer, entities, serviceVersion, type BackgroundWork } from './container.ts';
import { createLogger, type Logger } from './shared/infra/logger.ts';
import { initOrm, migrate } from './shared/infra/orm.ts';
import { startTracing } from './shared/infra/tracing.ts';
import { startMetricsListener, type MetricsListener } from './shared/http/metrics-listener.ts';
import { startHttpServer, type RunningServer } from './server.ts';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  // Before anything connects, so the first queries and commands are already traced.
  const tracing = await startTracing(config.tracing, {
    role: config.role,
    version: serviceVersion,
  });
  const logger = createLogger({
    level: config.logLevel,
    ...(tracing.logFields ? { mixin: tracing.logFields } : {}),
  });
  if (tracing.enabled) {
    tracing.reportErrorsTo(logger);
    logger.info({ endpoint: config.tracing.endpoint }, 'tracing on');
  }
  if (config.jwt.generated) {
    logger.warn(
      'JWT_SECRET is not set: signing tokens with a random secret drawn at start. Every token dies ' +
        'when this process restarts, and other instances reject it; set JWT_SECRET to keep them',
    );
  }

  const orm = await initOrm({ databaseUrl: config.databaseUrl, entities, logger }).catch(
    (err: unknown) => fatal(logger, 'cannot connect to PostgreSQL (DATABASE_URL)', err),
  );
  if (config.migrateOnStart) {
    const applied = await migrate(orm).catch((err: unknown) =>
      fatal(logger, 'migrations failed', err),
    );
    if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
  }

  const container = buildContainer(config, { logger, orm, tracing });
  await container.start();

  let server: RunningServer | undefined;
  if (config.role === 'api' || config.role === 'all') {
    server = await startHttpServer(container, config.http.port, config.http.host);
    logger.info({ port: server.port, host: config.http.host, role: config.role }, 'listening');
  }

  let metricsListener: MetricsListener | undefined;
  if (config.metrics.port !== undefined) {
    metricsListener = await startMetricsListener({
      registry: container.metrics.registry,
      port: config.metrics.port,
      host: config.http.host,
      token: config.metrics.token,
    });
    logger.info({ port: metricsListener.port }, 'metrics listening');
  }

  let worker: BackgroundWork | undefined;
  if (config.role === 'worker' || config.role === 'all') {
    worker = container.startWorker();
    logger.info({ role: config.role }, 'worker started');
  }

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 5_000);
    deadline.unref();
    await server?.close(config.shutdownTimeoutMs);
    await worker?.stop();
    await metricsListener?.close();
    await container.close();
    await tracing.shutdown();
    logger.info('stopped');
    logger.flush();
    process.exit(0);
  };
  process.once('SIGTERM', (signal) => void stop(signal));
  process.once('SIGINT', (signal) => void stop(signal));
}

function fatal(logger: Logger, message: string, err: unknown): never {
  logger.fatal({ err: err instanceof Error ? { message: err.message } : err }, message);
  logger.flush();
  process.exit(1);
}

await main();
