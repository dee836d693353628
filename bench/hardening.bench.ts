import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { WebSocket } from 'ws';
import { benchApp, fmt } from './support.ts';

/**
 * The service in a process of its own (the load comes from this one), on the benchmark database:
 * /health latency with hostile bodies in flight against /health alone, and what 1,500 refused
 * WebSocket upgrades cost the server in memory and file descriptors.
 */
export async function hardeningBench(): Promise<string[]> {
  const service = await startService();
  const lines: string[] = [];
  try {
    const token = await signUp(service.port);
    // Warm-up: JIT, connection pools and the limiter script, before anything is measured.
    await healthLatencies(service.port, 2);
    lines.push(...(await refusedUpgrades(service, token)));
    lines.push(...(await healthUnderHostileBodies(service.port, token)));
  } finally {
    service.child.kill('SIGTERM');
    await new Promise((resolve) => service.child.once('exit', resolve));
  }
  lines.push(...(await forgotTiming()));
  return lines;
}

/** How long password/forgot takes to answer for an existing account and for an unknown address. */
async function forgotTiming(): Promise<string[]> {
  const { app, container } = await benchApp();
  try {
    const json = (body: unknown): RequestInit => ({
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json' },
    });
    const email = `bench-${randomUUID()}@example.test`;
    const registered = await app.request(
      '/api/v1/auth/register',
      json({ email, password: 'a perfectly fine passphrase', full_name: 'Bench' }),
    );
    if (registered.status !== 201) throw new Error(`register answered ${registered.status}`);
    const timed = async (address: string) => {
      const started = performance.now();
      const res = await app.request('/api/v1/auth/password/forgot', json({ email: address }));
      if (res.status !== 202) throw new Error(`forgot answered ${res.status}`);
      const ms = performance.now() - started;
      // Each answer timed alone: the work it left behind is done before the next one.
      await container.detached.drain();
      return ms;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 60; i++) {
      // Alternating which goes first, so neither always follows the other's leftovers.
      const nobody = `nobody-${randomUUID()}@example.test`;
      if (i % 2 === 0) {
        known.push(await timed(email));
        unknown.push(await timed(nobody));
      } else {
        unknown.push(await timed(nobody));
        known.push(await timed(email));
      }
    }
    known.sort((a, b) => a - b);
    unknown.sort((a, b) => a - b);
    return [
      `password/forgot answer time (in process, 60 each, alternating): existing account p50 ` +
        `${fmt(pct(known, 50), 2)} ms, p90 ${fmt(pct(known, 90), 2)} ms; unknown address p50 ` +
        `${fmt(pct(unknown, 50), 2)} ms, p90 ${fmt(pct(unknown, 90), 2)} ms; p50 ratio ` +
        `${fmt(pct(known, 50) / pct(unknown, 50), 2)}`,
    ];
  } finally {
    await container.close();
  }
}

interface Service {
  child: ChildProcess;
  port: number;
}

async function startService(): Promise<Service> {
  const database = new URL(
    process.env.BENCH_DATABASE_URL ??
      process.env.DATABASE_URL ??
      'postgres://postgres@127.0.0.1:5432/task_manager',
  );
  database.pathname = '/task_manager_bench';
  const child = spawn(process.execPath, ['src/main.ts'], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: database.toString(),
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      APP_ROLE: 'api',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      // Limits as deployed (20/min per IP, 100/min per user, 10 sockets per user).
      JWT_SECRET: randomBytes(48).toString('base64url'),
      QUEUE_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${out}`)), 30_000);
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /"port":(\d+)[^\n]*"msg":"listening"/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => reject(new Error(`service exited with ${code}:\n${out}`)));
  });
  return { child, port };
}

function send(
  port: number,
  method: string,
  path: string,
  options: { body?: string | Buffer; token?: string; agent?: Agent } = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: options.agent ?? false,
        headers: {
          ...(options.body === undefined
            ? {}
            : {
                'Content-Type': 'application/json',
                'Content-Length': Buffer.byteLength(options.body),
              }),
          ...(options.token === undefined ? {} : { Authorization: `Bearer ${options.token}` }),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    // A connection the server closed before reading the body counts as status 0.
    req.on('error', () => resolve({ status: 0, text: '' }));
    req.end(options.body);
  });
}

async function signUp(port: number): Promise<string> {
  const res = await send(port, 'POST', '/api/v1/auth/register', {
    body: JSON.stringify({
      email: `bench-${randomUUID()}@example.test`,
      password: 'a perfectly fine passphrase',
      full_name: 'Bench',
    }),
  });
  if (res.status !== 201) throw new Error(`register answered ${res.status}: ${res.text}`);
  return (JSON.parse(res.text) as { access_token: string }).access_token;
}

const LEVELS = 500_000;
const HOSTILE = Buffer.from(`{"a":${'['.repeat(LEVELS)}${']'.repeat(LEVELS)},"x":"\\uD800"}`);
/** As many bytes, flat: what any 1 MiB body costs, to tell the nesting's own cost apart. */
const FLAT = Buffer.from(`{"a":"${'x'.repeat(HOSTILE.length - 8)}"}`);
const RATE = 200;
const SECONDS = 5;

/** Open loop: GET /health on a fixed timetable; latency counted from each scheduled send. */
async function healthLatencies(port: number, seconds = SECONDS): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const started = performance.now();
  const latencies: number[] = [];
  const sends: Array<Promise<void>> = [];
  for (let i = 0; i < RATE * seconds; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sends.push(
      send(port, 'GET', '/health', { agent }).then(() => {
        latencies.push(performance.now() - due);
      }),
    );
  }
  await Promise.all(sends);
  agent.destroy();
  return latencies.sort((a, b) => a - b);
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function healthUnderHostileBodies(port: number, token: string): Promise<string[]> {
  // Interleaved, twice, so a burst of load from elsewhere on the machine hits both kinds alike.
  const baseline = await healthLatencies(port);
  const flat = await healthWithBodiesInFlight(port, token, FLAT);
  const hostile = await healthWithBodiesInFlight(port, token, HOSTILE);
  const flat2 = await healthWithBodiesInFlight(port, token, FLAT);
  const hostile2 = await healthWithBodiesInFlight(port, token, HOSTILE);
  flat.latencies = [...flat.latencies, ...flat2.latencies].sort((a, b) => a - b);
  hostile.latencies = [...hostile.latencies, ...hostile2.latencies].sort((a, b) => a - b);
  flat.summary += `; then ${flat2.summary}`;
  hostile.summary += `; then ${hostile2.summary}`;
  const describe = (latencies: number[]) =>
    `p50 ${fmt(pct(latencies, 50), 2)} ms, p99 ${fmt(pct(latencies, 99), 2)} ms`;
  return [
    `/health open loop ${RATE}/s for ${SECONDS} s each; 4 senders keep a 1 MiB body in flight ` +
      `(no token to /api/v1/tasks, /does-not-exist, POST /health; with a token to /api/v1/tasks)`,
    `alone: ${describe(baseline)}`,
    `flat 1 MiB bodies in flight: ${describe(flat.latencies)} (${flat.summary})`,
    `nested bodies (${LEVELS} levels) in flight: ${describe(hostile.latencies)} (${hostile.summary})`,
    `p99 ratio nested / flat ${fmt(pct(hostile.latencies, 99) / pct(flat.latencies, 99), 2)}; ` +
      `nested / alone ${fmt(pct(hostile.latencies, 99) / pct(baseline, 99), 2)}`,
  ];
}

async function healthWithBodiesInFlight(port: number, token: string, body: Buffer) {
  let stop = false;
  const statuses = new Map<number, number>();
  const targets: Array<[string, string, string | undefined]> = [
    ['POST', '/api/v1/tasks', undefined],
    ['POST', '/does-not-exist', undefined],
    ['POST', '/health', undefined],
    ['POST', '/api/v1/tasks', token],
  ];
  const attackers = targets.map(async ([method, path, bearer]) => {
    while (!stop) {
      const res = await send(port, method, path, {
        body,
        ...(bearer === undefined ? {} : { token: bearer }),
      });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
  });
  const underAttack = await healthLatencies(port);
  stop = true;
  await Promise.all(attackers);

  const sent = [...statuses.values()].reduce((a, b) => a + b, 0);
  const byStatus = [...statuses].map(([status, n]) => `${status}×${n}`).join(', ');
  return { latencies: underAttack, summary: `${sent} bodies: ${byStatus}` };
}

function usage(pid: number): { rssMb: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return { rssMb: rssKb / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

/** 1,500 upgrade attempts with one token: past the limits they are refused before any socket. */
async function refusedUpgrades(service: Service, token: string): Promise<string[]> {
  const pid = service.child.pid!;
  // Baseline: as many plain requests, each on a new connection.
  const start = usage(pid);
  for (let i = 0; i < 1_500; i += 50) {
    await Promise.all(Array.from({ length: 50 }, () => send(service.port, 'GET', '/health')));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = usage(pid);
  const outcomes = new Map<string, number>();
  const opened: WebSocket[] = [];
  const attempt = () =>
    new Promise<void>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${service.port}/api/v1/ws`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      ws.once('open', () => {
        count('101');
        opened.push(ws);
        resolve();
      });
      ws.once('unexpected-response', (_req, res) => {
        ws.removeAllListeners('error');
        ws.on('error', () => undefined);
        count(String(res.statusCode));
        res.resume();
        ws.terminate();
        resolve();
      });
      ws.once('error', () => {
        count('error');
        resolve();
      });
    });
  for (let i = 0; i < 1_500; i += 50) await Promise.all(Array.from({ length: 50 }, attempt));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const after = usage(pid);
  const firstRound = [...outcomes].map(([k, n]) => `${k}×${n}`).join(', ');
  // A second round shows whether the growth is per attempt or a one-off (heap sizing, JIT).
  for (let i = 0; i < 1_500; i += 50) await Promise.all(Array.from({ length: 50 }, attempt));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const second = usage(pid);
  const open = opened.filter((ws) => ws.readyState === ws.OPEN).length;
  for (const ws of opened) ws.terminate();
  return [
    `1,500 upgrade attempts with one token: ${firstRound}; ` + `${open} still open (cap 10)`,
    `server RSS: 1,500 plain GET /health (baseline) ${fmt(start.rssMb)} → ${fmt(before.rssMb)} MB ` +
      `(Δ ${fmt(before.rssMb - start.rssMb)} MB); then the 1,500 upgrade attempts → ${fmt(after.rssMb)} MB ` +
      `(Δ ${fmt(after.rssMb - before.rssMb)} MB, ratio to before ${fmt(after.rssMb / before.rssMb, 3)}); ` +
      `file descriptors ${start.fds} → ${before.fds} → ${after.fds}`,
    `a second 1,500 refused attempts: RSS ${fmt(after.rssMb)} → ${fmt(second.rssMb)} MB ` +
      `(Δ ${fmt(second.rssMb - after.rssMb)} MB), file descriptors ${second.fds}; outcomes of both rounds: ` +
      [...outcomes].map(([k, n]) => `${k}×${n}`).join(', '),
  ];
}
