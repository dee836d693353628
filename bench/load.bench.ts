import { hash, verify } from '@node-rs/bcrypt';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { SEED_PASSWORD } from './seed.ts';
import { defaultListQuery, listStatements, numbered, type Sql } from './list-sql.ts';
import { startBare, startService, type Running } from './load-processes.ts';
import { closedLoop, openLoop, type LoadRequest, type OpenLoopResult } from './open-loop.ts';
import { fmt } from './support.ts';

/**
 * Load against running processes (`npm run bench -- load`, or one of `storm`, `health`, `auth`,
 * `list`, `mix`), on a database filled by
 * `DATABASE_URL=postgres://postgres@127.0.0.1:5432/task_manager_perf npm run seed -- --users 10000 --tasks-per-user 100 --heavy-user-tasks 100000`
 * (`BENCH_LOAD_DATABASE_URL` names it; that one by default). The service runs as `node src/main.ts`
 * (`APP_ROLE=api`, `LOG_LEVEL=warn`, limits lifted) from this checkout, or from
 * `BENCH_SERVICE_DIR` to measure another version with the same bench. Every figure is printed
 * next to its baseline from the same run; latencies come from the open-loop generator.
 */

const databaseUrl =
  process.env.BENCH_LOAD_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/task_manager_perf';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** One key per bench run: tokens issued by one service process work on the next. */
const jwtSecret = randomBytes(48).toString('base64url');
const USERS = 50;
const ms = (n: number) => fmt(n, 1);

/** One `/metrics` token per bench run, so the mix can read each process's heap. */
const metricsToken = randomBytes(24).toString('base64url');

const service = (env: Record<string, string> = {}, cpus?: string) =>
  startService({
    databaseUrl,
    redisUrl,
    jwtSecret,
    env: { METRICS_TOKEN: metricsToken, ...env },
    ...(cpus ? { cpus } : {}),
  });

/** Where a process's memory is, from its Prometheus metrics: V8's heap spaces and the rest. */
async function memoryOf(app: Running): Promise<string> {
  let text: string;
  try {
    const res = await fetch(`${app.origin}/metrics`, {
      headers: { authorization: `Bearer ${metricsToken}` },
      signal: AbortSignal.timeout(5_000),
    });
    text = await res.text();
  } catch (error) {
    // A process that died (or stalls) must not cost the section its other figures.
    return `memory unavailable (${(error as Error).message})`;
  }
  const mb = (pattern: string) => {
    const found = new RegExp(`^${pattern} ([\\d.e+]+)$`, 'm').exec(text);
    return found ? fmt(Number(found[1]) / 2 ** 20, 0) : '?';
  };
  return (
    `RSS ${mb('process_resident_memory_bytes')} MB: V8 heap ${mb('nodejs_heap_size_total_bytes')} ` +
    `(young ${mb('nodejs_heap_space_size_total_bytes\\{space="new"\\}')}, ` +
    `old ${mb('nodejs_heap_space_size_total_bytes\\{space="old"\\}')}), ` +
    `external ${mb('nodejs_external_memory_bytes')}`
  );
}

async function seededEmails(count: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ email: string }>(
      `select email from users where email like 'seed-user-%' order by email limit $1`,
      [count],
    );
    if (rows.length < count) {
      throw new Error(`${databaseUrl} holds too few seeded users: run npm run seed first`);
    }
    return rows.map((r) => r.email);
  } finally {
    await client.end();
  }
}

interface Session {
  email: string;
  token: string;
  userId: string;
}

let sessions: Session[] | undefined;
/** Accounts the storm logs into, one per parallel login (parallel attempts on one account lock it). */
let stormEmails: string[] = [];
const STORM_MAX = 32;

/** Logs `USERS` seeded users in once per bench run (sessions live in the database). */
async function signedIn(origin: string): Promise<Session[]> {
  if (sessions) return sessions;
  const emails = await seededEmails(USERS + STORM_MAX);
  stormEmails = emails.splice(USERS);
  const out: Session[] = [];
  const pending = [...emails];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let email = pending.shift(); email; email = pending.shift()) {
        const res = await fetch(`${origin}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password: SEED_PASSWORD }),
        });
        if (res.status !== 200) throw new Error(`login of ${email} answered ${res.status}`);
        const body = (await res.json()) as { access_token: string; user: { id: string } };
        out.push({ email, token: body.access_token, userId: body.user.id });
      }
    }),
  );
  sessions = out;
  return out;
}

const bearer = (s: Session) => ({ authorization: `Bearer ${s.token}` });

const listRequest =
  (users: Session[], query = 'limit=20') =>
  (i: number): LoadRequest => {
    const user = users[i % users.length]!;
    return { method: 'GET', path: `/api/v1/tasks?${query}`, headers: bearer(user), kind: 'list' };
  };

const line = (r: OpenLoopResult) =>
  `p50 ${ms(r.p50)} ms, p95 ${ms(r.p95)} ms, p99 ${ms(r.p99)} ms, ` +
  `${r.errors} errors of ${r.sent}` +
  (r.errors > 0 ? ` (answers ${JSON.stringify(r.statuses)})` : '');

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
};

/**
 * Goal 1: logins in a loop must not slow everyone else down. `BENCH_STORM_HASH_CONCURRENCY=1,2,1,2`
 * runs the storm once per listed `PASSWORD_HASH_CONCURRENCY` (interleaved as listed), to compare
 * the hashing concurrency's effect on the probe and on login throughput in one sitting.
 */
export async function stormBench(): Promise<string[]> {
  const variants = (process.env.BENCH_STORM_HASH_CONCURRENCY ?? '').split(',').filter(Boolean);
  if (variants.length === 0) return stormRun(undefined);
  const lines: string[] = [];
  for (const concurrency of variants) {
    lines.push(`PASSWORD_HASH_CONCURRENCY=${concurrency}:`);
    lines.push(...(await stormRun(Number(concurrency))).map((l) => `  ${l}`));
  }
  return lines;
}

async function stormRun(hashConcurrency: number | undefined): Promise<string[]> {
  const lines: string[] = [];
  const cost = 12;
  const stored = await hash(SEED_PASSWORD, { cost });
  const raw = async (parallel: number, n: number) => {
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next++ < n) await verify(SEED_PASSWORD, stored);
      }),
    );
    return n / ((performance.now() - started) / 1000);
  };
  const hashing = hashConcurrency ?? availableParallelism();
  const app = await service(
    hashConcurrency === undefined ? {} : { PASSWORD_HASH_CONCURRENCY: String(hashConcurrency) },
  );
  try {
    const users = await signedIn(app.origin);
    const probe = () =>
      openLoop({ origin: app.origin, rate: 50, durationMs: 8_000, next: listRequest(users) });
    const storm = (workers: number, until: Promise<unknown>) =>
      closedLoop({
        origin: app.origin,
        workers,
        durationMs: 30_000,
        until,
        next: (i) => ({
          method: 'POST',
          path: '/api/v1/auth/login',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: stormEmails[i % workers], password: SEED_PASSWORD }),
        }),
      });
    await probe(); // warm-up
    const quiet = await probe();
    lines.push(`list probe at 50 req/s, no storm: ${line(quiet)}`);
    for (const workers of [8, 32]) {
      const during = probe();
      const logins = await storm(workers, during);
      const loud = await during;
      const rawRate = await raw(workers, workers * 3);
      const rawHashing = await raw(hashing, Math.max(6, hashing * 3));
      lines.push(
        `list probe during ${workers} parallel logins: ${line(loud)}; ` +
          `p95 ratio to no storm ${fmt(loud.p95 / quiet.p95, 2)} (goal ≤ 2)`,
        `  logins: ${fmt(logins.perSecond, 2)}/s (answers ${JSON.stringify(logins.statuses)}); ` +
          `raw bcrypt verify, cost ${cost}, ${workers} at once: ${fmt(rawRate, 2)}/s; ` +
          `ratio ${fmt(logins.perSecond / rawRate, 2)} (goal ≥ 0.85); ` +
          `raw ${hashing} at once (the service's hashing concurrency): ${fmt(rawHashing, 2)}/s, ` +
          `ratio ${fmt(logins.perSecond / rawHashing, 2)}`,
      );
    }
  } finally {
    await app.stop();
  }
  return lines;
}

/** Pins this process to `cpus` (the servers get the other core), and back. */
function pinSelf(cpus: string): void {
  try {
    execFileSync('taskset', ['-pc', cpus, String(process.pid)], { stdio: 'ignore' });
  } catch {
    // Without taskset the figures are noisier, not wrong.
  }
}

/** Throughput (closed loop) and CPU per request (open loop at a fixed rate) of one server. */
async function healthFigures(server: Running, rate: number) {
  const health = (): LoadRequest => ({ method: 'GET', path: '/health' });
  const cpuAtStart = server.cpuMicros();
  const saturated = await closedLoop({
    origin: server.origin,
    workers: 32,
    durationMs: 4_000,
    next: health,
  });
  const cpuBefore = server.cpuMicros();
  const fixed = await openLoop({ origin: server.origin, rate, durationMs: 4_000, next: health });
  const cpuPerRequest = (server.cpuMicros() - cpuBefore) / fixed.sent;
  const cpuSaturated = (cpuBefore - cpuAtStart) / (saturated.done + saturated.errors);
  return { rps: saturated.perSecond, cpuPerRequest, cpuSaturated, fixed };
}

/** Goal 2: `GET /health` against a bare `node:http` server answering the same JSON. */
export async function healthBench(): Promise<string[]> {
  const lines: string[] = [];
  pinSelf('0');
  const bare = await startBare({ jwtSecret, cpus: '1' });
  const app = await service({}, '1');
  try {
    const rate = 1500;
    const runs: Array<{
      bare: Awaited<ReturnType<typeof healthFigures>>;
      app: (typeof runs)[0]['bare'];
    }> = [];
    await healthFigures(app, rate); // warm-up
    for (let i = 0; i < 3; i++) {
      runs.push({ bare: await healthFigures(bare, rate), app: await healthFigures(app, rate) });
    }
    const pick = (side: 'bare' | 'app', key: 'rps' | 'cpuPerRequest' | 'cpuSaturated') =>
      median(runs.map((r) => r[side][key]));
    lines.push(
      `GET /health, 32 connections (closed loop, server pinned to one core, median of 3 interleaved runs): ` +
        `${fmt(pick('app', 'rps'), 0)} req/s; bare node:http ${fmt(pick('bare', 'rps'), 0)} req/s; ` +
        `ratio ${fmt(pick('app', 'rps') / pick('bare', 'rps'), 2)} (goal ≥ 0.5)`,
      `GET /health CPU per request at saturation (the closed loop above): ${fmt(pick('app', 'cpuSaturated'), 0)} µs; ` +
        `bare ${fmt(pick('bare', 'cpuSaturated'), 0)} µs; ratio ${fmt(pick('app', 'cpuSaturated') / pick('bare', 'cpuSaturated'), 2)}`,
      `GET /health CPU per request at ${rate} req/s (open loop; each request also wakes the process): ${fmt(pick('app', 'cpuPerRequest'), 0)} µs; ` +
        `bare ${fmt(pick('bare', 'cpuPerRequest'), 0)} µs; ratio ${fmt(pick('app', 'cpuPerRequest') / pick('bare', 'cpuPerRequest'), 2)}`,
      `  latency at ${rate} req/s: service ${line(runs.at(-1)!.app.fixed)}; bare ${line(runs.at(-1)!.bare.fixed)}`,
    );
  } finally {
    await Promise.all([bare.stop(), app.stop()]);
    pinSelf('0-1023');
  }
  return lines;
}

/**
 * Goal 3: what bearer auth, the per-user limit and the user load add to a request, next to what
 * the same round trips add to the bare server (one to Redis, then the two reads in parallel):
 * the difference between the two is the service's own cost; the rest is the round trips.
 */
export async function authBench(): Promise<string[]> {
  const lines: string[] = [];
  const app = await service();
  const bare = await startBare({ databaseUrl, redisUrl, jwtSecret });
  try {
    const users = await signedIn(app.origin);
    const one = (server: Running, path: string, auth: boolean) =>
      openLoop({
        origin: server.origin,
        rate: 25,
        durationMs: 6_000,
        connections: 1,
        next: (i) => ({
          method: 'GET',
          path,
          ...(auth ? { headers: bearer(users[i % users.length]!) } : {}),
        }),
      });
    await one(app, '/api/v1/users/me', true); // warm-up
    await one(bare, '/api/v1/users/me', true);
    const runs = {
      health: [] as number[],
      me: [] as number[],
      bareHealth: [] as number[],
      bareMe: [] as number[],
    };
    for (let i = 0; i < 3; i++) {
      runs.health.push((await one(app, '/health', false)).p50);
      runs.me.push((await one(app, '/api/v1/users/me', true)).p50);
      runs.bareHealth.push((await one(bare, '/health', false)).p50);
      runs.bareMe.push((await one(bare, '/api/v1/users/me', true)).p50);
    }
    const added = median(runs.me) - median(runs.health);
    const bareAdded = median(runs.bareMe) - median(runs.bareHealth);
    lines.push(
      `GET /api/v1/users/me p50 at one connection (25 req/s, median of 3 interleaved runs): ` +
        `${ms(median(runs.me))} ms; GET /health ${ms(median(runs.health))} ms; ` +
        `auth adds ${fmt(added, 2)} ms (goal ≤ 0.5)`,
      `  bare node:http, same round trips (Redis: session status + rate-limit script; then user and ` +
        `storage reads in parallel): /users/me ${ms(median(runs.bareMe))} ms, /health ` +
        `${ms(median(runs.bareHealth))} ms; the round trips alone add ${fmt(bareAdded, 2)} ms; ` +
        `the service's own share ${fmt(added - bareAdded, 2)} ms`,
    );
  } finally {
    await Promise.all([app.stop(), bare.stop()]);
  }
  lines.push(...(await planReuse()));
  return lines;
}

/** Does PostgreSQL reuse plans? The list's page statement with its values inlined vs bound. */
async function planReuse(): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(
      `select id from users where email like 'seed-user-%' order by email limit 50`,
    );
    const sql = listStatements(defaultListQuery(rows[0]!.id)).page;
    // Every parameter of the default list is the user's id, whichever placeholders the text has.
    const inline = (s: Sql, userId: string) => s.text.replace(/\$\d+\b|\?/g, () => `'${userId}'`);
    const time = async (work: (i: number) => Promise<unknown>, n: number) => {
      for (let i = 0; i < 20; i++) await work(i);
      const started = performance.now();
      for (let i = 0; i < n; i++) await work(i);
      return ((performance.now() - started) * 1000) / n;
    };
    const n = 400;
    const user = (i: number) => rows[i % rows.length]!.id;
    const simple = await time((i) => client.query(inline(sql, user(i))), n);
    const prepared = await time(
      (i) =>
        client.query({
          name: 'bench-list-page',
          ...numbered({ text: sql.text, params: sql.params.map(() => user(i)) }),
        }),
      n,
    );
    return [
      `list page statement, one connection: values inlined (what em.execute sends) ${fmt(simple, 0)} µs; ` +
        `named prepared statement ${fmt(prepared, 0)} µs; ratio ${fmt(prepared / simple, 2)}`,
    ];
  } finally {
    await client.end();
  }
}

/** Runs pgbench with `scripts` (`file@weight`) for `seconds`; returns transactions per second. */
function pgbench(scripts: Array<[string, number]>, clients: number, seconds: number): number {
  const dir = mkdtempSync(path.join(tmpdir(), 'pgbench-'));
  try {
    const args = ['-n', '-M', 'prepared', '-c', String(clients), '-j', '2', '-T', String(seconds)];
    scripts.forEach(([text, weight], i) => {
      const file = path.join(dir, `s${i}.sql`);
      writeFileSync(file, text);
      args.push('-f', `${file}@${weight}`);
    });
    const url = new URL(databaseUrl);
    const out = execFileSync(
      'pgbench',
      [
        ...args,
        '-h',
        url.hostname,
        '-p',
        url.port || '5432',
        '-U',
        url.username || 'postgres',
        url.pathname.slice(1),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A pgbench line per statement: each parameter bound to `:uid` (one seeded user per transaction). */
const USER_PICK = `\\set n random(1, ${USERS})
select id as uid from users where email = 'seed-user-' || lpad(:n::text, 5, '0') || '@example.test' \\gset
`;
const asPgbench = (sql: Sql) => `${sql.text.replace(/\s+/g, ' ').replace(/\$\d+/g, ':uid')};\n`;
const LIST_SCRIPT = (() => {
  const s = listStatements(defaultListQuery('00000000-0000-0000-0000-000000000000'));
  return `${USER_PICK}${asPgbench(s.page)}${asPgbench(s.count)}`;
})();

/** Goal 4: the list against a bare node:http + pg server running the same statements, and pgbench. */
export async function listBench(): Promise<string[]> {
  const lines: string[] = [];
  const app = await service();
  const bare = await startBare({ databaseUrl, jwtSecret });
  try {
    const users = await signedIn(app.origin);
    const saturate = async (server: Running, query?: string) => {
      const before = server.cpuMicros();
      const r = await closedLoop({
        origin: server.origin,
        workers: USERS,
        durationMs: 5_000,
        next: listRequest(users, query),
      });
      return {
        rps: r.perSecond,
        cpu: (server.cpuMicros() - before) / (r.done + r.errors),
        errors: r.errors,
      };
    };
    await saturate(app);
    await saturate(bare);
    const a: number[] = [];
    const b: number[] = [];
    const ac: number[] = [];
    const bc: number[] = [];
    for (let i = 0; i < 2; i++) {
      const x = await saturate(app);
      const y = await saturate(bare);
      a.push(x.rps);
      ac.push(x.cpu);
      b.push(y.rps);
      bc.push(y.cpu);
    }
    const noTotal = await saturate(app, 'limit=20&include_total=false');
    const tps = pgbench([[LIST_SCRIPT, 1]], 10, 5);
    lines.push(
      `GET /api/v1/tasks?limit=20, ${USERS} users (closed loop, median of 2 interleaved runs): ` +
        `${fmt(median(a), 0)} req/s; bare node:http + pg ${fmt(median(b), 0)} req/s; ` +
        `ratio ${fmt(median(a) / median(b), 2)} (goal ≥ 0.85)`,
      `  node CPU per request: service ${fmt(median(ac), 0)} µs; bare ${fmt(median(bc), 0)} µs`,
      `  pgbench of the same two statements (prepared, 10 clients, + a user lookup each): ` +
        `${fmt(tps, 0)} tps; service ratio ${fmt(median(a) / tps, 2)} (goal ≥ 0.6); ` +
        `bare node:http + pg ratio ${fmt(median(b) / tps, 2)}`,
      `  with include_total=false: ${fmt(noTotal.rps, 0)} req/s (${fmt(noTotal.cpu, 0)} µs node CPU); ` +
        `ratio to bare ${fmt(noTotal.rps / median(b), 2)}, to pgbench ${fmt(noTotal.rps / tps, 2)}`,
    );
  } finally {
    await Promise.all([app.stop(), bare.stop()]);
  }
  return lines;
}

interface Target {
  id: string;
  version: number;
  token: string;
}

/** The first page of tasks of every signed-in user: what PATCH changes, versions kept current. */
async function patchTargets(origin: string, users: Session[]): Promise<Target[]> {
  const targets: Target[] = [];
  for (const user of users) {
    const res = await fetch(`${origin}/api/v1/tasks?limit=20`, { headers: bearer(user) });
    const body = (await res.json()) as { items: Array<{ id: string; version: number }> };
    for (const task of body.items) targets.push({ ...task, token: user.token });
  }
  // Interleaved by user, so consecutive PATCHes hit different users' rows.
  return targets.sort((a, b) => a.id.localeCompare(b.id));
}

const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;

function mixRequests(users: Session[], targets: Target[]) {
  let patches = 0;
  let creates = 0;
  return (i: number): LoadRequest => {
    const slot = i % 10;
    if (slot < 7) return listRequest(users)(i);
    if (slot < 9) {
      const target = targets[patches++ % targets.length]!;
      return {
        kind: 'patch',
        method: 'PATCH',
        path: `/api/v1/tasks/${target.id}`,
        headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ priority: PRIORITIES[patches % 4], version: target.version }),
        check: (_status, body) => {
          target.version = (JSON.parse(body) as { version: number }).version;
          return true;
        },
      };
    }
    const user = users[creates++ % users.length]!;
    return {
      kind: 'create',
      method: 'POST',
      path: '/api/v1/tasks',
      headers: { ...bearer(user), 'content-type': 'application/json' },
      body: JSON.stringify({ title: `load test task ${creates}` }),
    };
  };
}

/** The statements of one PATCH and one create, as pgbench scripts (with a task picked first). */
const PATCH_SCRIPT = `${USER_PICK}\\set k random(0, 19)
select t.id as tid, t.version as ver from tasks t where t.owner_id = :uid and t.deleted_at is null order by t.created_at desc limit 1 offset :k \\gset
select id, title, version from tasks t where t.id = :tid and t.deleted_at is null and (t.owner_id = :uid or t.assignee_id = :uid);
begin;
update tasks set priority = 'high', updated_at = now(), version = version + 1 where id = :tid;
commit;
select id, title, version from tasks t where t.id = :tid and t.deleted_at is null and (t.owner_id = :uid or t.assignee_id = :uid);
`;
const CREATE_SCRIPT = `${USER_PICK}begin;
insert into tasks (id, project_id, owner_id, assignee_id, title, description, status, priority, due_date, remind_at, created_at, updated_at, completed_at, deleted_at, version) values (gen_random_uuid(), (select id from projects where inbox_user_id = :uid), :uid, null, 'pgbench task', null, 'pending', 'medium', null, null, now(), now(), null, null, 1);
commit;
`;

const SLO = { p95: 200, p99: 500 };
const meetsSlo = (r: OpenLoopResult) => r.p95 < SLO.p95 && r.p99 < SLO.p99 && r.errors === 0;

/** Goal 5: the 70/20/10 list/PATCH/create mix at rising rates, on 1 and 2 API processes. */
export async function mixBench(): Promise<string[]> {
  const lines: string[] = [];
  // Ascending, so "every lower rate met" below is every earlier step.
  const rates = (process.env.BENCH_MIX_RATES ?? '150,300,450,600,750,900')
    .split(',')
    .map(Number)
    .sort((a, b) => a - b);
  // Tasks left by an earlier run would lengthen the signed-in users' lists, and so every later
  // measurement: the mix starts and ends without them.
  await removeLoadTasks();
  try {
    lines.push(...(await mixRuns(rates)));
  } finally {
    await removeLoadTasks();
  }
  return lines;
}

/** The tasks the mix and its pgbench script create, by their titles. */
async function removeLoadTasks(): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `delete from tasks where title like 'load test task %' or title = 'pgbench task'`,
    );
  } finally {
    await client.end();
  }
}

async function mixRuns(rates: number[]): Promise<string[]> {
  const lines: string[] = [];
  const tps = pgbench(
    [
      [LIST_SCRIPT, 7],
      [PATCH_SCRIPT, 2],
      [CREATE_SCRIPT, 1],
    ],
    10,
    6,
  );
  lines.push(
    `database-only ceiling: pgbench of the same statements, 70/20/10 (prepared, 10 clients): ${fmt(tps, 0)} tps`,
  );
  const counts = (process.env.BENCH_MIX_PROCESSES ?? '1,2').split(',').map(Number);
  // `BENCH_MIX_NODE_OPTIONS='|none|--max-semi-space-size=8'` runs every count once per variant of
  // the service's NODE_OPTIONS (`|`-separated; empty is the service as the image starts it, with
  // the Dockerfile's NODE_OPTIONS, and `none` is V8's own defaults).
  const variants = (process.env.BENCH_MIX_NODE_OPTIONS ?? '').split('|');
  for (const run of counts.flatMap((count) => variants.map((v) => [count, v] as const))) {
    const [count, nodeOptions] = run;
    if (variants.length > 1) lines.push(`NODE_OPTIONS='${nodeOptions}':`);
    const apps: Running[] = [];
    for (let i = 0; i < count; i++) {
      const options = nodeOptions === 'none' ? '' : nodeOptions;
      apps.push(await service(nodeOptions ? { NODE_OPTIONS: options } : {}));
    }
    try {
      const users = await signedIn(apps[0]!.origin);
      const targets = await patchTargets(apps[0]!.origin, users);
      const next = mixRequests(users, targets);
      // Warm-up, not counted: a fresh process (JIT, pool connections, statements not yet planned)
      // thrown straight into a high first rate queues for seconds.
      for (const rate of [100, rates[0]!]) {
        await openLoop({ origin: apps.map((a) => a.origin), rate, durationMs: 3_000, next });
      }
      // The highest rate met with every lower rate met too: one 8-second step can miss on a
      // stall of the box, and a rate met only above such a miss is not one to count on.
      let best = 0;
      let unbroken = true;
      let peakRss = 0;
      for (const rate of rates) {
        const r = await openLoop({
          origin: apps.map((a) => a.origin),
          rate,
          durationMs: 8_000,
          next,
        });
        const rss = Math.max(...apps.map((a) => a.rssMb().peak));
        peakRss = Math.max(peakRss, rss);
        if (meetsSlo(r) && unbroken) best = rate;
        else unbroken = false;
        const kinds = Object.entries(r.byKind)
          .map(([k, v]) => `${k} p95 ${ms(v.p95)}`)
          .join(', ');
        lines.push(
          `${count} process${count > 1 ? 'es' : ''} at ${rate} req/s: ${line(r)} (${kinds}); ` +
            `${meetsSlo(r) ? 'meets' : 'misses'} p95 < ${SLO.p95} ms, p99 < ${SLO.p99} ms, 0 errors; ` +
            `peak RSS ${fmt(rss, 0)} MB`,
          `  after it, the first process: ${await memoryOf(apps[0]!)}`,
        );
      }
      const idle = Math.max(...apps.map((a) => a.rssMb().now));
      lines.push(
        `  ${count} process${count > 1 ? 'es' : ''}: highest rate meeting the target, with every lower one met too, ${best} req/s ` +
          `(goal ≥ 600; ratio to the pgbench ceiling ${fmt(best / tps, 2)}); peak RSS ${fmt(peakRss, 0)} MB per process ` +
          `(goal ≤ 300), ${fmt(idle, 0)} MB after`,
      );
    } finally {
      await Promise.all(apps.map((a) => a.stop()));
    }
  }
  return lines;
}
