import { loadConfig } from '../src/config.ts';
import { buildContainer, entities, type Container } from '../src/container.ts';
import { buildApp } from '../src/app.ts';
import { createLogger } from '../src/shared/infra/logger.ts';
import { initOrm, migrate } from '../src/shared/infra/orm.ts';

/** The real app on a dedicated benchmark database (created and migrated on first use). */
export async function benchApp(env: Record<string, string> = {}) {
  const base = new URL(
    process.env.BENCH_DATABASE_URL ??
      process.env.DATABASE_URL ??
      'postgres://postgres@127.0.0.1:5432/task_manager',
  );
  base.pathname = '/task_manager_bench';
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: base.toString(),
    LOG_LEVEL: 'silent',
    RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
    RATE_LIMIT_USER_PER_MINUTE: '1000000',
    ...env,
  });
  const logger = createLogger({ level: 'silent' });
  const orm = await initOrm({ databaseUrl: config.databaseUrl, entities, logger, poolMax: 10 });
  await migrate(orm);
  const container: Container = buildContainer(config, { orm, logger });
  await container.start();
  return { app: buildApp(container), container };
}

export interface Measurement {
  ops: number;
  seconds: number;
  perSecond: number;
  microsPerOp: number;
}

/** Runs `op` with `concurrency` workers until `total` operations have completed. */
export async function measure(
  total: number,
  concurrency: number,
  op: (i: number) => unknown,
): Promise<Measurement> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await op(next++);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { ops: total, seconds, perSecond: total / seconds, microsPerOp: (seconds * 1e6) / total };
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);
