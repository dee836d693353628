import type { EntityManager } from '@mikro-orm/postgresql';
import { createHash } from 'node:crypto';
import type { QueryConfig } from 'pg';
import { nativePool, seedDatabase } from './seed.ts';
import { entities } from '../src/container.ts';
import { MikroOrmOutbox } from '../src/modules/tasks/adapters/persistence/mikro-orm-outbox.ts';
import { MikroOrmTaskRepository } from '../src/modules/tasks/adapters/persistence/mikro-orm-task-repository.ts';
import {
  countQuery,
  listStatements as cachedListStatements,
  pageQuery,
} from '../src/modules/tasks/adapters/persistence/task-list-query.ts';
import {
  taskColumns,
  toTaskView,
  type TaskRow,
} from '../src/modules/tasks/adapters/persistence/task-rows.ts';
import { OutboxEventRecord } from '../src/modules/tasks/adapters/persistence/tasks.entities.ts';
import type { TaskListQuery } from '../src/modules/tasks/application/ports.ts';
import type { TaskEvent } from '../src/modules/tasks/domain/task-events.ts';
import { Task } from '../src/modules/tasks/domain/task.ts';
import { initOrm, migrate, type Orm } from '../src/shared/infra/orm.ts';
import { currentTraceCarrier } from '../src/shared/infra/tracing.ts';
import { UuidV7Ids } from '../src/shared/infra/uuid-v7-ids.ts';
import { compiler, execSql, numbered, type Sql } from './list-sql.ts';
import {
  oldFindVisible,
  oldListStatements,
  oldReplaceCategories,
  oldUpdate,
} from './old-task-sql.ts';
import { indexesIn } from './task-list.bench.ts';
import { fmt } from './support.ts';

/**
 * `npm run bench -- persistence`: the tasks adapters (entity manager writes, typed Kysely reads)
 * against the hand-written statements they replaced (bench/old-task-sql.ts), in one run on one
 * database: 10,000 users × 100 tasks plus one user with 200,000 (1.2M tasks), seeded on first use
 * and kept. Old and new run interleaved in rounds (the order alternating), and each path reports
 * the median over rounds of new throughput / old throughput (≥ 0.95 is the bar). Then EXPLAIN of
 * each new statement, flagging any sequential scan.
 */

const USERS = 10_000;
const TASKS_PER_USER = 100;
const HEAVY_TASKS = 200_000;
const DEEP = 150_000;
const PREFIX = 'bench-persistence';
const ROUNDS = Number(process.env.BENCH_PERSISTENCE_ROUNDS ?? 15);
const OPS = Number(process.env.BENCH_PERSISTENCE_OPS ?? 40);
const DAY = 86_400_000;

function databaseUrl(): string {
  const url = new URL(
    process.env.BENCH_DATABASE_URL ??
      process.env.DATABASE_URL ??
      'postgres://postgres@127.0.0.1:5432/task_manager',
  );
  url.pathname = '/task_manager_bench_persistence';
  return url.toString();
}

async function seeded(orm: Orm): Promise<string | undefined> {
  const em = orm.em.fork();
  const found = await execSql<{ tasks: number }>(em, {
    text: `select count(*)::int as tasks from tasks t join users u on u.id = t.owner_id
            where u.email = $1`,
    params: [`${PREFIX}-heavy@example.test`],
  });
  if (found[0]?.tasks === HEAVY_TASKS) return undefined;
  const pool = await nativePool(orm);
  await pool.query('truncate users, tasks, outbox_events cascade');
  const report = await seedDatabase(pool, {
    users: USERS,
    tasksPerUser: TASKS_PER_USER,
    heavyUserTasks: HEAVY_TASKS,
    emailPrefix: PREFIX,
    rebuildIndexes: true,
  });
  await pool.query('vacuum analyze');
  const seconds = Object.values(report.seconds).reduce((a, b) => a + b, 0);
  return `seeded ${report.tasks} tasks in ${fmt(seconds)} s; later runs reuse them`;
}

/** The old `list`: both statements at once on the pool, named when first or cursor pages. */
const oldStatementNames = new Map<string, string>();
function oldBound(sql: Sql, prepare: boolean): QueryConfig {
  const { text, values } = numbered(sql);
  if (!prepare) return { text, values };
  let name = oldStatementNames.get(text);
  if (name === undefined) {
    name = `task_list_${createHash('sha256').update(text).digest('base64url').slice(0, 22)}`;
    oldStatementNames.set(text, name);
  }
  return { name, text, values };
}

async function oldList(em: EntityManager, query: TaskListQuery) {
  const pool = await em.getConnection().getNativeClient();
  const sql = oldListStatements(query);
  const prepare = query.window.type === 'after' || query.window.offset === 0;
  const [rows, totals] = await Promise.all([
    pool.query(oldBound(sql.page, prepare)),
    pool.query(oldBound(sql.count, prepare)),
  ]);
  // Mapped to task views as the repository did then and does now, so both sides do the same work.
  return {
    items: rows.rows.slice(0, query.limit).map((row) => toTaskView(row as TaskRow)),
    total: totals.rowCount,
  };
}

/** The outbox writer as it was (the same em.insertMany). */
async function oldOutboxAppend(em: EntityManager, ids: UuidV7Ids, events: readonly TaskEvent[]) {
  await em.insertMany(
    OutboxEventRecord,
    events.map((event) => ({
      id: ids.next(),
      type: event.type,
      taskId: event.taskId,
      actorId: event.actorId,
      recipients: event.recipients,
      payload: event.payload,
      occurredAt: event.occurredAt,
      processedAt: null,
      attempts: 0,
      traceContext: currentTraceCarrier() ?? null,
    })),
  );
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function timed(ops: number, op: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < ops; i++) await op();
  return (performance.now() - started) / ops;
}

interface Path {
  name: string;
  /** Operations per side and round when fewer than OPS (slow paths). */
  ops?: number;
  old: () => Promise<unknown>;
  new: () => Promise<unknown>;
}

export async function persistenceBench(): Promise<string[]> {
  const orm = await initOrm({ databaseUrl: databaseUrl(), entities, poolMax: 4 });
  const lines: string[] = [];
  try {
    await migrate(orm);
    const note = await seeded(orm);
    if (note) lines.push(note);
    const em = orm.em.fork();
    const repository = new MikroOrmTaskRepository(em);
    const ids = new UuidV7Ids();

    const [heavy] = await execSql<{ id: string }>(em, {
      text: 'select id from users where email = $1',
      params: [`${PREFIX}-heavy@example.test`],
    });
    const [regular] = await execSql<{ owner_id: string; id: string; category_id: string | null }>(
      em,
      {
        text: `select t.owner_id, t.id, (select category_id from task_categories tc
                 where tc.task_id = t.id limit 1) as category_id
               from tasks t join users u on u.id = t.owner_id
              where u.email = $1 and t.deleted_at is null limit 1`,
        params: [`${PREFIX}-user-00042@example.test`],
      },
    );
    if (!heavy || !regular) throw new Error('the bench database has no seeded users');
    const [deep] = await execSql<{ created_at: Date; id: string }>(em, {
      text: `select created_at, id from tasks where owner_id = $1 and deleted_at is null
              order by created_at desc, id desc offset ${DEEP} limit 1`,
      params: [heavy.id],
    });
    if (!deep) throw new Error('the heavy user has too few tasks');
    const [tableSize] = await execSql<{ n: number }>(em, {
      text: 'select count(*)::int as n from tasks',
      params: [],
    });
    lines.push(
      `tasks in the table: ${tableSize?.n}; heavy user: ${HEAVY_TASKS}; deep page at ${DEEP}`,
    );

    const now = new Date();
    const list = (userId: string, extra: Partial<TaskListQuery> = {}): TaskListQuery => ({
      userId,
      scope: 'all',
      sort: '-created_at',
      limit: 20,
      window: { type: 'offset', offset: 0 },
      ...extra,
    });
    const queries: Record<string, TaskListQuery> = {
      'list-tasks default': list(regular.owner_id),
      'list-tasks filtered': list(regular.owner_id, {
        status: 'pending',
        priority: 'high',
        dueFrom: new Date(now.getTime() - 30 * DAY),
        dueTo: new Date(now.getTime() + 60 * DAY),
        ...(regular.category_id ? { categoryId: regular.category_id } : {}),
      }),
      'list-tasks search (heavy user)': list(heavy.id, { q: 'report' }),
      'list-tasks deep keyset (heavy user)': list(heavy.id, {
        window: {
          type: 'after',
          position: { sort: '-created_at', value: deep.created_at, id: deep.id },
        },
      }),
      'list-tasks filtered (heavy user)': list(heavy.id, { status: 'pending', priority: 'high' }),
    };

    // update-task: both sides write the same task in turn, each from the version it reads.
    const view = await repository.findVisible(regular.id, regular.owner_id);
    if (!view) throw new Error('the bench task is not visible to its owner');
    let current = view.task.toProps();
    const next = () => {
      current = {
        ...current,
        title: `bench ${current.version + 1}`,
        updatedAt: new Date(),
        version: current.version + 1,
      };
      return { task: Task.restore(current), expected: current.version - 1 };
    };
    const event = (): TaskEvent =>
      ({
        type: 'task.status_changed',
        taskId: regular.id,
        actorId: regular.owner_id,
        recipients: [heavy.id],
        payload: { from: 'pending', to: 'in_progress' },
        occurredAt: new Date(),
      }) as unknown as TaskEvent;

    const paths: Path[] = [
      {
        name: 'get-task',
        old: () => em.execute(...sqlArgs(oldFindVisible(regular.id, regular.owner_id))),
        new: () => repository.findVisible(regular.id, regular.owner_id),
      },
      ...Object.entries(queries).map(([name, query]) => ({
        name,
        ops: name.includes('heavy') ? Math.max(2, Math.round(OPS / 8)) : OPS,
        old: () => oldList(em, query),
        new: () => repository.list(query),
      })),
      {
        name: 'update-task',
        old: () =>
          em.transactional(async (tx) => {
            const { task, expected } = next();
            const props = task.toProps();
            await tx.execute(...sqlArgs(oldUpdate(props, expected)));
            for (const sql of oldReplaceCategories(props.id, props.categoryIds)) {
              await tx.execute(...sqlArgs(sql));
            }
          }),
        new: async () => {
          const { task, expected } = next();
          const outcome = await repository.update(task, expected);
          if (outcome.type !== 'written') throw new Error(`update: ${outcome.type}`);
        },
      },
      {
        name: 'outbox insert (2 events)',
        old: () => em.transactional((tx) => oldOutboxAppend(tx, ids, [event(), event()])),
        new: () => em.transactional((tx) => new MikroOrmOutbox(tx, ids).append([event(), event()])),
      },
    ];

    // Warm-up: every statement prepared on every connection.
    for (const path of paths) {
      for (let i = 0; i < 10; i++) {
        await path.old();
        await path.new();
      }
    }
    const ratios = new Map<string, number[]>(paths.map((p) => [p.name, []]));
    const oldMs = new Map<string, number[]>(paths.map((p) => [p.name, []]));
    const newMs = new Map<string, number[]>(paths.map((p) => [p.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const path of paths) {
        let o: number;
        let n: number;
        if (round % 2 === 0) {
          o = await timed(path.ops ?? OPS, path.old);
          n = await timed(path.ops ?? OPS, path.new);
        } else {
          n = await timed(path.ops ?? OPS, path.new);
          o = await timed(path.ops ?? OPS, path.old);
        }
        ratios.get(path.name)!.push(o / n);
        oldMs.get(path.name)!.push(o);
        newMs.get(path.name)!.push(n);
      }
    }
    lines.push(
      `${ROUNDS} rounds × ${OPS} ops per side (heavy-user lists ${Math.max(2, Math.round(OPS / 8))}), ` +
        'interleaved; ratio = new throughput / old (median of rounds)',
    );
    for (const path of paths) {
      const ratio = median(ratios.get(path.name)!);
      lines.push(
        `${path.name.padEnd(38)} old ${fmt(median(oldMs.get(path.name)!), 3)} ms  ` +
          `new ${fmt(median(newMs.get(path.name)!), 3)} ms  ratio ${fmt(ratio, 3)} ` +
          `(min ${fmt(Math.min(...ratios.get(path.name)!), 3)}) ${ratio >= 0.95 ? 'ok' : 'BELOW 0.95'}`,
      );
    }

    // What building and compiling a typed list query costs, per call (CPU only), and what the
    // repository pays instead (compiled once per shape, then bound).
    const compileQuery = queries['list-tasks filtered']!;
    const compileMs = await timed(2_000, () =>
      Promise.resolve(pageQuery(compiler, compileQuery).compile()),
    );
    const bindMs = await timed(2_000, () =>
      Promise.resolve(cachedListStatements(compiler, compileQuery)),
    );
    lines.push(
      `filtered page + count: Kysely build + compile of the page ${fmt(compileMs * 1000, 1)} µs; ` +
        `cached shape, both bound ${fmt(bindMs * 1000, 1)} µs`,
    );

    lines.push('', 'EXPLAIN of the new statements (tasks in the table as above):');
    const statements: Array<[string, Sql]> = [
      [
        'get-task',
        toSql(
          compiler
            .selectFrom('tasks as t')
            .select(taskColumns)
            .where((eb) =>
              eb.and([
                eb('t.id', '=', regular.id),
                eb('t.deleted_at', 'is', null),
                eb.or([
                  eb('t.owner_id', '=', regular.owner_id),
                  eb('t.assignee_id', '=', regular.owner_id),
                ]),
              ]),
            )
            .compile(),
        ),
      ],
    ];
    for (const [name, query] of Object.entries(queries)) {
      statements.push([`${name}: page`, toSql(pageQuery(compiler, query).compile())]);
      statements.push([`${name}: count`, toSql(countQuery(compiler, query).compile())]);
    }
    let seqScans = 0;
    for (const [name, sql] of statements) {
      const plan = (
        await execSql<Record<string, string>>(em, {
          text: `explain (analyze, buffers off, timing off) ${sql.text}`,
          params: sql.params,
        })
      )
        .map((row) => row['QUERY PLAN'])
        .join('\n');
      const { indexes, seqScans: scans } = indexesIn(plan);
      const large = scans.filter((table) =>
        ['tasks', 'task_categories', 'comments', 'attachments'].includes(table),
      );
      seqScans += large.length;
      const time = /Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? '?';
      lines.push(
        `- ${name}: ${time} ms, indexes ${indexes.join(', ') || 'none'}` +
          (large.length > 0 ? `; SEQUENTIAL SCAN on ${large.join(', ')}` : ''),
      );
      if (process.env.BENCH_PERSISTENCE_PLANS) lines.push(plan.replace(/^/gm, '    '));
    }
    lines.push(
      seqScans === 0
        ? 'no sequential scan on tasks, task_categories, comments or attachments'
        : `${seqScans} sequential scans on large tables`,
    );
  } finally {
    await orm.close();
  }
  return lines;
}

/** em.execute's arguments for a `?`-placeholder statement. */
const sqlArgs = (sql: Sql): [string, unknown[]] => [sql.text, sql.params];

const toSql = (compiled: { sql: string; parameters: readonly unknown[] }): Sql => ({
  text: compiled.sql,
  params: [...compiled.parameters],
});
