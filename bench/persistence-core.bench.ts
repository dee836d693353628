import { RequestContext } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import { entities } from '../src/container.ts';
import { MikroOrmSessionRepository } from '../src/modules/identity/adapters/persistence/mikro-orm-session-repository.ts';
import { MikroOrmUserRepository } from '../src/modules/identity/adapters/persistence/mikro-orm-user-repository.ts';
import { SessionRecord } from '../src/modules/identity/adapters/persistence/identity.entities.ts';
import { User } from '../src/modules/identity/domain/user.ts';
import type { Role } from '../src/modules/identity/domain/role.ts';
import { MikroOrmNotificationRepository } from '../src/modules/notifications/adapters/persistence/mikro-orm-notification-repository.ts';
import { MikroOrmOutboxSource } from '../src/modules/notifications/adapters/persistence/mikro-orm-outbox-source.ts';
import { TASK_EVENT_TYPES } from '../src/modules/tasks/index.ts';
import { initOrm, migrate, type Orm } from '../src/shared/infra/orm.ts';
import { fmt } from './support.ts';

/**
 * `npm run bench -- persistence-core`: the persistence paths that moved from hand-written SQL
 * strings to queries typed from the entities, each against the statement it replaced (kept below
 * as the baseline, exactly as the adapters ran it). Old and new alternate in blocks of ten operations; each
 * ratio is the median over the runs of old time / new time (≥ 1: the new path is as fast or
 * faster). Then the EXPLAIN plan of each new statement, captured as the driver sent it.
 *
 * Data, on its own database `task_manager_bench_core` (seeded once): 20k users, 40k sessions,
 * 60k notifications (20k of them one user's), 50k processed and 5k pending outbox events.
 */

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const OPS = Number(process.env.BENCH_OPS ?? 400);
const CLAIM_BATCH = 50;

// ---- Baseline: the statements as the adapters ran them before (em.execute, values inlined). ----

const OLD_KNOWN_TYPES = `{${TASK_EVENT_TYPES.join(',')}}`;
const OLD_CLAIM = `select id, type, task_id, actor_id, array_to_json(recipients) as recipients, payload,
              occurred_at, trace_context
         from outbox_events
        where processed_at is null and attempts < ? and type = any(?::text[])
        order by occurred_at, id
        limit ?
        for update skip locked`;
const OLD_NOTIFICATION_COLUMNS =
  'id, user_id, seq, type, task_id, actor_id, data, read_at, created_at';
const OLD_INBOX = `select ${OLD_NOTIFICATION_COLUMNS} from notifications where user_id = ? order by seq desc limit ?`;
const OLD_USER_BY_ID = {
  name: 'users_by_id_baseline',
  text: `select id, email, full_name, password_hash, role, email_verified, is_active,
                failed_login_count, locked_until, created_at, updated_at
           from users where id = $1`,
};

const date = (value: Date | string) => (value instanceof Date ? value : new Date(value));

async function oldClaim(em: EntityManager) {
  const rows = await em.execute<Array<Record<string, unknown>>>(OLD_CLAIM, [
    10,
    OLD_KNOWN_TYPES,
    CLAIM_BATCH,
  ]);
  return rows.map((row) => ({
    id: row.id,
    type: row.type,
    taskId: row.task_id,
    actorId: row.actor_id,
    recipients: row.recipients,
    payload: row.payload,
    occurredAt: date(row.occurred_at as string),
    ...(row.trace_context ? { traceContext: row.trace_context } : {}),
  }));
}

async function oldInbox(em: EntityManager, userId: string) {
  const rows = await em.execute<Array<Record<string, unknown>>>(OLD_INBOX, [userId, 21]);
  return rows.slice(0, 20).map((row) => ({
    id: row.id,
    userId: row.user_id,
    seq: Number(row.seq),
    type: row.type,
    taskId: row.task_id,
    actorId: row.actor_id,
    data: row.data,
    readAt: row.read_at === null ? null : date(row.read_at as string),
    createdAt: date(row.created_at as string),
  }));
}

interface OldUserRow {
  id: string;
  email: string;
  full_name: string;
  password_hash: string;
  role: string;
  email_verified: boolean;
  is_active: boolean;
  failed_login_count: number;
  locked_until: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

async function oldUserById(em: EntityManager, id: string) {
  const pool = await em.getConnection().getNativeClient();
  const { rows } = await pool.query<OldUserRow>({ ...OLD_USER_BY_ID, values: [id] });
  const row = rows[0];
  return row
    ? User.restore({
        id: row.id,
        email: row.email,
        fullName: row.full_name,
        passwordHash: row.password_hash,
        role: row.role as Role,
        emailVerified: row.email_verified,
        isActive: row.is_active,
        failedLoginCount: row.failed_login_count,
        lockedUntil: row.locked_until === null ? undefined : new Date(row.locked_until),
        createdAt: new Date(row.created_at),
        updatedAt: new Date(row.updated_at),
      })
    : undefined;
}

/** The session-status read before: the entity manager's `findOne`. */
async function oldSessionById(em: EntityManager, id: string) {
  const row = await em.findOne(SessionRecord, { id }, { disableIdentityMap: true });
  return row
    ? {
        id: row.id,
        userId: row.user,
        createdAt: row.createdAt,
        lastUsedAt: row.lastUsedAt,
        expiresAt: row.expiresAt,
        revokedAt: row.revokedAt ?? undefined,
        userAgent: row.userAgent ?? undefined,
        ip: row.ip ?? undefined,
      }
    : undefined;
}

// ---- Data ----

async function seed(orm: Orm): Promise<{ heavyUser: string; users: string[]; sessions: string[] }> {
  const conn = orm.em.getConnection();
  const [count] = await conn.execute<Array<{ n: number }>>('select count(*)::int as n from users');
  // Rows are read back through the per-type checks, so a database seeded before them is redone.
  const [shaped] = await conn.execute<Array<{ ok: boolean }>>(
    `select exists (select 1 from outbox_events
                     where payload ? 'assigneeId' and project_id is not null) as ok`,
  );
  if ((count?.n ?? 0) < 20_000 || !shaped?.ok) {
    await conn.execute(`truncate users, outbox_events cascade`);
    await conn.execute(`
      insert into users (id, email, full_name, password_hash, created_at, updated_at)
      select gen_random_uuid(), 'u' || i || '@bench.example', 'User ' || i, 'h',
             now() - i * interval '1 minute', now()
        from generate_series(1, 20000) i`);
    await conn.execute(`
      insert into sessions (id, user_id, current_refresh_hash, created_at, last_used_at, expires_at)
      select gen_random_uuid(), u.id, md5(random()::text), now(), now(), now() + interval '30 days'
        from users u, generate_series(1, 2)`);
    await conn.execute(`
      insert into notifications (id, user_id, seq, type, task_id, actor_id, data, created_at)
      select gen_random_uuid(), u.id, s, 'task.assigned', gen_random_uuid(), null,
             jsonb_build_object('title', 'A task', 'assignee_id', u.id::text,
                                'previous_assignee_id', null), now()
        from (select id from users order by email limit 2000) u, generate_series(1, 20) s`);
    await conn.execute(`
      insert into notifications (id, user_id, seq, type, task_id, actor_id, data, read_at, created_at)
      select gen_random_uuid(), u.id, s, 'task.commented', gen_random_uuid(), null,
             jsonb_build_object('title', 'A task', 'comment_id', gen_random_uuid()::text),
             case when s % 3 = 0 then now() end, now()
        from (select id from users order by email desc limit 1) u, generate_series(1, 20000) s`);
    await conn.execute(`
      insert into outbox_events (id, type, task_id, project_id, actor_id, recipients, payload,
                                 occurred_at, processed_at)
      select gen_random_uuid(), 'task.assigned', gen_random_uuid(), gen_random_uuid(),
             gen_random_uuid(),
             array[gen_random_uuid()],
             jsonb_build_object('title', 'A task', 'assigneeId', gen_random_uuid()::text,
                                'previousAssigneeId', null),
             now() - i * interval '1 second', case when i > 5000 then now() end
        from generate_series(1, 55000) i`);
    await conn.execute('analyze');
  }
  const [heavy] = await conn.execute<Array<{ id: string }>>(
    'select id from users order by email desc limit 1',
  );
  const users = await conn.execute<Array<{ id: string }>>(
    'select id from users order by random() limit 500',
  );
  const sessions = await conn.execute<Array<{ id: string }>>(
    'select id from sessions order by random() limit 500',
  );
  return {
    heavyUser: heavy!.id,
    users: users.map((row) => row.id),
    sessions: sessions.map((row) => row.id),
  };
}

// ---- Measurement ----

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function timed(ops: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < ops; i++) await op(i);
  return ((performance.now() - started) * 1000) / ops;
}

const BLOCK = 10;

/**
 * Old and new alternate in blocks of ten operations (which goes first alternates too), so a
 * neighbour's load on the shared machine falls on both alike; per run, the ratio of the summed
 * times. Returns µs/op medians and the median ratio.
 */
async function compare(
  oldOp: (i: number) => Promise<unknown>,
  newOp: (i: number) => Promise<unknown>,
  ops = OPS,
) {
  await timed(Math.min(50, ops), oldOp);
  await timed(Math.min(50, ops), newOp);
  const olds: number[] = [];
  const news: number[] = [];
  const ratios: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    let o = 0;
    let n = 0;
    for (let block = 0; block < ops / BLOCK; block++) {
      if ((block + run) % 2 === 0) {
        o += await timed(BLOCK, oldOp);
        n += await timed(BLOCK, newOp);
      } else {
        n += await timed(BLOCK, newOp);
        o += await timed(BLOCK, oldOp);
      }
    }
    const blocks = ops / BLOCK;
    olds.push(o / blocks);
    news.push(n / blocks);
    ratios.push(o / n);
  }
  return { old: median(olds), new: median(news), ratio: median(ratios), ratios };
}

/** Records the statements the driver sends while `work` runs, to EXPLAIN them afterwards. */
async function captured(
  work: () => Promise<unknown>,
): Promise<Array<{ text: string; values: unknown[] }>> {
  const seen: Array<{ text: string; values: unknown[] }> = [];
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const [config, values] = args;
    if (typeof config === 'string')
      seen.push({ text: config, values: (values as unknown[]) ?? [] });
    else if (config && typeof config === 'object' && 'text' in config) {
      const c = config as { text: string; values?: unknown[] };
      seen.push({ text: c.text, values: c.values ?? (values as unknown[]) ?? [] });
    }
    return original.apply(this, args);
  };
  try {
    await work();
  } finally {
    proto.query = original;
  }
  return seen.filter(
    ({ text }) => !/^(begin|commit|rollback|savepoint|release)/i.test(text.trim()),
  );
}

const LARGE_TABLES = ['users', 'sessions', 'notifications', 'outbox_events'];

async function explain(orm: Orm, name: string, work: () => Promise<unknown>): Promise<string[]> {
  const statements = await captured(work);
  const pool = await orm.em.getConnection().getNativeClient();
  const lines: string[] = [];
  for (const { text, values } of statements) {
    const { rows } = await pool.query<{ 'QUERY PLAN': string }>(`explain ${text}`, values);
    const plan = rows.map((row) => row['QUERY PLAN']);
    const seqScans = plan.filter((line) =>
      LARGE_TABLES.some((table) => line.includes(`Seq Scan on ${table}`)),
    );
    lines.push(`  EXPLAIN (${name}): ${text.replace(/\s+/g, ' ').trim()}`);
    for (const line of plan) lines.push(`    ${line}`);
    lines.push(
      seqScans.length === 0
        ? '    → no sequential scan of a large table'
        : `    → SEQUENTIAL SCAN of a large table: ${seqScans.join('; ')}`,
    );
  }
  return lines;
}

export async function persistenceCoreBench(): Promise<string[]> {
  const base = new URL(
    process.env.BENCH_DATABASE_URL ??
      process.env.DATABASE_URL ??
      'postgres://postgres@127.0.0.1:5432/task_manager',
  );
  base.pathname = '/task_manager_bench_core';
  const orm = await initOrm({ databaseUrl: base.toString(), entities, poolMax: 4 });
  await migrate(orm);
  const out: string[] = [];
  try {
    const { heavyUser, users, sessions } = await seed(orm);
    const inContext = <T>(work: (em: EntityManager) => Promise<T>) =>
      RequestContext.create(orm.em, () => work(orm.em as EntityManager));
    const em = orm.em as EntityManager;
    const userRepo = new MikroOrmUserRepository(em);
    const sessionRepo = new MikroOrmSessionRepository(em);
    const inbox = new MikroOrmNotificationRepository(em);

    /** A claim as the relay makes it: in a transaction, here rolled back so the rows stay pending. */
    const inRolledBackTransaction = (work: (fork: EntityManager) => Promise<unknown>) =>
      inContext(async () => {
        const fork = em.fork();
        await fork.begin();
        try {
          await work(fork);
        } finally {
          await fork.rollback();
        }
      });

    out.push(
      `${RUNS} runs of ${OPS} sequential operations per path, old and new interleaved; ` +
        'µs/op medians; ratio = median of old/new per run (≥ 0.95 required, ≥ 1 is faster)',
    );
    const report = (label: string, r: Awaited<ReturnType<typeof compare>>) =>
      out.push(
        `${label}: old ${fmt(r.old)} µs/op, new ${fmt(r.new)} µs/op, ratio ${fmt(r.ratio, 2)} ` +
          `(runs ${r.ratios.map((x) => fmt(x, 2)).join(' ')})${r.ratio < 0.95 ? '  ← BELOW 0.95' : ''}`,
      );

    // The claim as the relay makes it, inside a transaction: one transaction stays open for the
    // whole comparison, shared by both paths (a transaction may lock its own rows again; two
    // transactions would make the second skip the first one's 50 locked rows every time) and is
    // rolled back, so the rows stay pending and only the statement is measured.
    const tx = em.fork();
    await tx.begin();
    try {
      const newSource = new MikroOrmOutboxSource(tx);
      report(
        `outbox claim of ${CLAIM_BATCH} (FOR UPDATE SKIP LOCKED, 5k pending of 55k)`,
        await compare(
          () => oldClaim(tx),
          () => newSource.claim(CLAIM_BATCH),
        ),
      );
    } finally {
      await tx.rollback();
    }
    report(
      'notification inbox, first page of 20 (user with 20k)',
      await compare(
        () => inContext((e) => oldInbox(e, heavyUser)),
        () => inContext(() => inbox.list({ userId: heavyUser, unreadOnly: false, limit: 20 })),
      ),
    );
    report(
      'user by id (profile read)',
      await compare(
        (i) => inContext((e) => oldUserById(e, users[i % users.length]!)),
        (i) => inContext(() => userRepo.findById(users[i % users.length]!)),
      ),
    );
    report(
      'session by id (session status)',
      await compare(
        (i) => inContext((e) => oldSessionById(e, sessions[i % sessions.length]!)),
        (i) => inContext(() => sessionRepo.findById(sessions[i % sessions.length]!)),
      ),
    );

    out.push(
      ...(await explain(orm, 'outbox claim', () =>
        inRolledBackTransaction((fork) => new MikroOrmOutboxSource(fork).claim(CLAIM_BATCH)),
      )),
      ...(await explain(orm, 'inbox page', () =>
        inContext(() => inbox.list({ userId: heavyUser, unreadOnly: false, limit: 20 })),
      )),
      ...(await explain(orm, 'inbox page, unread, before a seq', () =>
        inContext(() =>
          inbox.list({ userId: heavyUser, limit: 20, unreadOnly: true, beforeSeq: 10_000 }),
        ),
      )),
      ...(await explain(orm, 'user by id', () => inContext(() => userRepo.findById(users[0]!)))),
      ...(await explain(orm, 'session by id', () =>
        inContext(() => sessionRepo.findById(sessions[0]!)),
      )),
    );
  } finally {
    await orm.close();
  }
  return out;
}
