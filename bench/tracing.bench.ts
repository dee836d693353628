import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { entities } from '../src/container.ts';
import { initOrm, migrate } from '../src/shared/infra/orm.ts';
import { startService, type ServiceProcess } from '../tests/support/process.ts';
import { flushQueueKeys, uniqueQueuePrefix } from '../tests/support/notifications/queue-keys.ts';
import { fmt, measure } from './support.ts';

const TASKS = 50;
const REQUESTS = 600;
const CONCURRENCY = 16;
const ROUNDS = 8;
/** The third instance keeps this fraction of traces, as a production setting might. */
const SAMPLED = 0.1;
/** Linux's clock ticks per second for /proc/<pid>/stat times (USER_HZ). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc. */
async function cpuSeconds(pid: number | undefined): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th overall.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/**
 * The cost of tracing: authenticated `GET /api/v1/tasks` throughput of an API instance exporting
 * every trace (sampling 1) to a local OTLP/HTTP receiver, against an identical instance with
 * tracing off, and one keeping a tenth of the traces, measured in rotating rounds in the same run
 * (one instance loaded at a time). The machine is shared, so the server processes' own CPU time
 * per request (from /proc) is reported too: it is far less sensitive to other load.
 */
export async function tracingBench(): Promise<string[]> {
  const base = new URL(
    process.env.BENCH_DATABASE_URL ??
      process.env.DATABASE_URL ??
      'postgres://postgres@127.0.0.1:5432/task_manager',
  );
  base.pathname = '/task_manager_bench_tracing';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const orm = await initOrm({ databaseUrl: base.toString(), entities, poolMax: 2 });
  await migrate(orm);

  // The receiver reads and drops each export, counting what arrives.
  let exports = 0;
  let exportedBytes = 0;
  const receiver = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (exportedBytes += chunk.length));
    req.on('end', () => {
      exports += 1;
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  const prefix = uniqueQueuePrefix('bench-tracing');
  const env = {
    DATABASE_URL: base.toString(),
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'info',
    RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
    RATE_LIMIT_USER_PER_MINUTE: '1000000',
    APP_ROLE: 'api',
  };
  const services: ServiceProcess[] = [];
  try {
    // One after another, each kept as soon as it runs, so a failed start leaves no process behind.
    const start = async (extra: Record<string, string>) => {
      const service = await startService({ ...env, ...extra });
      services.push(service);
      return service;
    };
    const off = await start({});
    const on = await start({ OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl });
    const sampled = await start({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl,
      OTEL_TRACES_SAMPLER_ARG: String(SAMPLED),
    });

    const registered = await fetch(`http://127.0.0.1:${off.port}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        email: `bench-${randomUUID()}@example.test`,
        password: 'a perfectly fine passphrase',
        full_name: 'Bench',
      }),
    });
    const { access_token: token } = (await registered.json()) as { access_token: string };
    const auth = { Authorization: `Bearer ${token}` };
    for (let i = 0; i < TASKS; i++) {
      await fetch(`http://127.0.0.1:${off.port}/api/v1/tasks`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ title: `Bench task ${i}`, priority: 'medium' }),
      });
    }

    const list = (service: ServiceProcess, total: number) =>
      measure(total, CONCURRENCY, async () => {
        const res = await fetch(`http://127.0.0.1:${service.port}/api/v1/tasks?limit=20`, {
          headers: auth,
        });
        if (res.status !== 200) throw new Error(`list answered ${res.status}`);
        await res.arrayBuffer();
      });
    const instances = { off, on, sampled };
    type Which = keyof typeof instances;
    const order: Which[] = ['off', 'on', 'sampled'];
    for (const which of order) await list(instances[which], 300);

    const rates: Record<Which, number[]> = { off: [], on: [], sampled: [] };
    const cpu: Record<Which, number> = { off: 0, on: 0, sampled: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      // A different instance goes first each round, so drift in the machine's load is shared.
      for (const which of [...order.slice(round % 3), ...order.slice(0, round % 3)]) {
        const service = instances[which];
        const before = await cpuSeconds(service.child.pid);
        rates[which].push((await list(service, REQUESTS)).perSecond);
        cpu[which] += (await cpuSeconds(service.child.pid)) - before;
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
    const ratios = (which: Which) => rates[which].map((rate, i) => rate / rates.off[i]!);
    const ratio = median(ratios('on'));
    const cpuPerRequest = (which: Which) => fmt((cpu[which] * 1e6) / (ROUNDS * REQUESTS));
    return [
      `authenticated GET /api/v1/tasks?limit=20 (${TASKS} tasks, ${CONCURRENCY} in flight, ${ROUNDS} rotating rounds of ${REQUESTS} per instance):`,
      `  throughput: tracing off ${fmt(median(rates.off))} req/s; tracing on, every trace exported to a local OTLP/HTTP receiver ` +
        `${fmt(median(rates.on))} req/s: median ratio on/off ${fmt(ratio, 2)} (goal ≥ 0.85: ${ratio >= 0.85 ? 'met' : 'NOT met'}; ` +
        `rounds: ${ratios('on')
          .map((r) => fmt(r, 2))
          .join(
            ', ',
          )}); ${SAMPLED * 100} % sampled ${fmt(median(rates.sampled))} req/s: ratio ${fmt(median(ratios('sampled')), 2)}`,
      `  server CPU per request: off ${cpuPerRequest('off')} µs, on ${cpuPerRequest('on')} µs (ratio off/on ${fmt(cpu.off / cpu.on, 2)}), ` +
        `${SAMPLED * 100} % sampled ${cpuPerRequest('sampled')} µs (ratio ${fmt(cpu.off / cpu.sampled, 2)}); ` +
        `${exports} exports, ${fmt(exportedBytes / 1024 / 1024)} MiB`,
    ];
  } finally {
    for (const service of services) {
      if (service.child.exitCode === null && service.child.signalCode === null) {
        service.child.kill('SIGTERM');
        await service.exited;
      }
    }
    await new Promise((resolve) => receiver.close(resolve));
    await flushQueueKeys(redisUrl, prefix);
    await orm.close();
  }
}
