import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Starts and measures the processes a load bench talks to: the service and the bare baseline. */

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`; 100 on Linux). */
const TICKS_PER_SECOND = 100;

export interface Running {
  origin: string;
  pid: number;
  /** User + system CPU time used so far, in µs (Linux /proc). */
  cpuMicros(): number;
  /** Resident set size now and its peak so far, in MB. */
  rssMb(): { now: number; peak: number };
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function cpuMicrosOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces: fields count from after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e6) / TICKS_PER_SECOND;
}

function rssOf(pid: number): { now: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { now: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

async function waitForHealth(origin: string, child: ChildProcess, log: () => string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited early:\n${log()}`);
    try {
      const res = await fetch(`${origin}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no answer from ${origin}/health within 60 s:\n${log()}`);
}

function track(child: ChildProcess, origin: string): Running {
  const pid = child.pid;
  if (pid === undefined) throw new Error('process did not start');
  return {
    origin,
    pid,
    cpuMicros: () => cpuMicrosOf(pid),
    rssMb: () => rssOf(pid),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

function spawnNode(args: string[], env: Record<string, string>, cpus?: string): ChildProcess {
  const [command, argv] = cpus
    ? ['taskset', ['-c', cpus, process.execPath, ...args]]
    : [process.execPath, args];
  // taskset execs node in place, so the pid stays the node process's.
  return spawn(command, argv, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function captured(child: ChildProcess): () => string {
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => text;
}

export interface ServiceOptions {
  databaseUrl: string;
  redisUrl: string;
  jwtSecret: string;
  /** Checkout to run (`BENCH_SERVICE_DIR`, to measure another version); this one by default. */
  dir?: string;
  env?: Record<string, string>;
  cpus?: string;
}

/**
 * The `NODE_OPTIONS` the image starts the service with (the Dockerfile's `ENV NODE_OPTIONS`), so
 * the bench measures the service as it is deployed; none where that checkout sets none.
 */
function imageNodeOptions(dir: string): Record<string, string> {
  let dockerfile: string;
  try {
    dockerfile = readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
  } catch {
    return {};
  }
  const found = /^ENV NODE_OPTIONS="([^"]*)"\r?$/m.exec(dockerfile);
  if (found) return { NODE_OPTIONS: found[1]! };
  if (/^ENV NODE_OPTIONS/m.test(dockerfile)) {
    throw new Error(`${dir}/Dockerfile sets NODE_OPTIONS in a form the bench does not read`);
  }
  return {};
}

/**
 * `node src/main.ts` with `APP_ROLE=api`, on a free loopback port, with the image's
 * `NODE_OPTIONS` unless `env` names others.
 */
export async function startService(options: ServiceOptions): Promise<Running> {
  const port = await freePort();
  const dir = options.dir ?? process.env.BENCH_SERVICE_DIR ?? repoRoot;
  const child = spawnNode(
    [path.join(dir, 'src/main.ts')],
    {
      NODE_ENV: 'production',
      APP_ROLE: 'api',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      JWT_SECRET: options.jwtSecret,
      LOG_LEVEL: 'warn',
      // Production refuses to serve /metrics without a token (the mix passes its own, to read it).
      METRICS_TOKEN: randomBytes(24).toString('base64url'),
      RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
      RATE_LIMIT_USER_PER_MINUTE: '1000000',
      ...imageNodeOptions(dir),
      ...options.env,
    },
    options.cpus,
  );
  const origin = `http://127.0.0.1:${port}`;
  await waitForHealth(origin, child, captured(child));
  return track(child, origin);
}

/** The bare `node:http` (+ `pg`) baseline server of bench/bare-server.ts. */
export async function startBare(options: {
  databaseUrl?: string;
  redisUrl?: string;
  jwtSecret: string;
  cpus?: string;
}): Promise<Running> {
  const port = await freePort();
  const args = [
    path.join(repoRoot, 'bench/bare-server.ts'),
    '--port',
    String(port),
    '--jwt-secret',
    options.jwtSecret,
    ...(options.databaseUrl ? ['--database-url', options.databaseUrl] : []),
    ...(options.redisUrl ? ['--redis-url', options.redisUrl] : []),
  ];
  // The same V8 settings as the service it is compared with.
  const child = spawnNode(args, imageNodeOptions(repoRoot), options.cpus);
  const origin = `http://127.0.0.1:${port}`;
  await waitForHealth(origin, child, captured(child));
  return track(child, origin);
}
