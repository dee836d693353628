import type { EntityManager } from '@mikro-orm/postgresql';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { nativePool, seedDatabase } from './seed.ts';
import { entities } from '../src/container.ts';
import { MikroOrmTaskRepository } from '../src/modules/tasks/adapters/persistence/mikro-orm-task-repository.ts';

import type { TaskListQuery } from '../src/modules/tasks/application/ports.ts';
import {
  positionAfter,
  type TaskKeysetPosition,
  type TaskSort,
} from '../src/modules/tasks/application/support/task-sort.ts';
import { initOrm, migrate, type Orm } from '../src/shared/infra/orm.ts';
import { execSql, listStatements, type Sql } from './list-sql.ts';
import { fmt, measure } from './support.ts';

/**
 * Task listing. Two modes:
 *
 * - `npm run bench` (`taskListBench`): one user with 50,000 tasks in the bench database (seeded
 *   on first use, then reused) and ratios measured in the same process: keyset paging deep vs
 *   shallow, offset vs keyset at the same depth, a search vs the default list, the count.
 * - `node bench/task-list.bench.ts --database-url URL [--iterations 200] [--runs 3]
 *   [--explain-out FILE] [--only REGEX]`: against a database filled by `npm run seed` (users
 *   `seed-user-*`, heavy user `seed-heavy`), p50/p95/p99 of every query shape for random users, the
 *   page query and the count query apart and together (the repository's `list`), and EXPLAIN
 *   (ANALYZE, BUFFERS) of each with real values, listing the indexes each plan uses.
 */

const DAY = 86_400_000;

export interface Subject {
  userId: string;
  categoryIds: string[];
}

export interface Shape {
  name: string;
  /** `regular`: a random seeded user each time; `heavy`: the user with many tasks. */
  who: 'regular' | 'heavy';
  query: (subject: Subject) => TaskListQuery;
  /** Shapes with the same key run the same count SQL (the count ignores sort and window). */
  countKey?: string;
}

export const base = (subject: Subject, extra: Partial<TaskListQuery> = {}): TaskListQuery => ({
  userId: subject.userId,
  scope: 'all',
  sort: '-created_at',
  limit: 20,
  window: { type: 'offset', offset: 0 },
  ...extra,
});

const pick = <T>(items: readonly T[]): T => {
  const item = items[Math.floor(Math.random() * items.length)];
  if (item === undefined) throw new Error('nothing to pick from');
  return item;
};

/** status + priority + due range + category, as a user narrowing the list would. */
const filtered = (subject: Subject, now: Date): Partial<TaskListQuery> => ({
  status: 'pending',
  priority: 'high',
  dueFrom: new Date(now.getTime() - 30 * DAY),
  dueTo: new Date(now.getTime() + 60 * DAY),
  ...(subject.categoryIds.length > 0 ? { categoryId: pick(subject.categoryIds) } : {}),
});

export const COMMON_WORD = 'report';
/** Three generated syllables: in a handful of the 1.2M seeded tasks. */
export const RARE_WORD = 'quinvekzel';
const SORTS: TaskSort[] = [
  'due_date',
  '-due_date',
  'priority',
  '-priority',
  'title',
  '-updated_at',
];

export function shapes(now: Date, deep: Map<TaskSort, TaskKeysetPosition>, depth: number): Shape[] {
  const after = (sort: TaskSort) => {
    const position = deep.get(sort);
    if (!position) throw new Error(`no keyset position for ${sort}`);
    return { type: 'after' as const, position };
  };
  const regular: Shape[] = [
    { name: 'default list', who: 'regular', query: (s) => base(s) },
    { name: 'filtered list', who: 'regular', query: (s) => base(s, filtered(s, now)) },
    { name: 'status=pending', who: 'regular', query: (s) => base(s, { status: 'pending' }) },
    {
      name: `search common "${COMMON_WORD}"`,
      who: 'regular',
      query: (s) => base(s, { q: COMMON_WORD }),
    },
    { name: `search rare "${RARE_WORD}"`, who: 'regular', query: (s) => base(s, { q: RARE_WORD }) },
    { name: 'scope=owned', who: 'regular', query: (s) => base(s, { scope: 'owned' }) },
    { name: 'scope=assigned', who: 'regular', query: (s) => base(s, { scope: 'assigned' }) },
    ...SORTS.map((sort): Shape => ({
      name: `sort=${sort}`,
      who: 'regular',
      query: (s) => base(s, { sort }),
    })),
  ];
  const heavy: Shape[] = [
    { name: 'heavy: default list', who: 'heavy', query: (s) => base(s), countKey: 'heavy' },
    {
      name: `heavy: keyset after ${depth}`,
      who: 'heavy',
      query: (s) => base(s, { window: after('-created_at') }),
      countKey: 'heavy',
    },
    {
      name: `heavy: offset ${depth} (page ${depth / 20 + 1})`,
      who: 'heavy',
      query: (s) => base(s, { window: { type: 'offset', offset: depth } }),
      countKey: 'heavy',
    },
    { name: 'heavy: filtered list', who: 'heavy', query: (s) => base(s, filtered(s, now)) },
    { name: 'heavy: status=pending', who: 'heavy', query: (s) => base(s, { status: 'pending' }) },
    {
      name: `heavy: search common "${COMMON_WORD}"`,
      who: 'heavy',
      query: (s) => base(s, { q: COMMON_WORD }),
    },
    {
      name: `heavy: search rare "${RARE_WORD}"`,
      who: 'heavy',
      query: (s) => base(s, { q: RARE_WORD }),
    },
    ...SORTS.map((sort): Shape => ({
      name: `heavy: sort=${sort} keyset after ${depth}`,
      who: 'heavy',
      query: (s) => base(s, { sort, window: after(sort) }),
      countKey: 'heavy',
    })),
  ];
  return [...regular, ...heavy];
}

/** Where the `depth`-th row of `userId`'s list ends, under `sort`: the cursor the API would issue. */
export async function positionAt(
  em: EntityManager,
  userId: string,
  sort: TaskSort,
  depth: number,
): Promise<TaskKeysetPosition> {
  const repository = new MikroOrmTaskRepository(em.fork());
  const { items } = await repository.list({
    userId,
    scope: 'all',
    sort,
    limit: 1,
    window: { type: 'offset', offset: depth - 1 },
  });
  const last = items[0];
  if (!last) throw new Error(`user ${userId} has fewer than ${depth} tasks`);
  return positionAfter(last.task, sort);
}

const elapsed = async (work: () => Promise<unknown>): Promise<number> => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

export const percentilesOf = (samples: number[]): Percentiles => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
};

/** Index names a plan reads, and whether it scans the tasks table sequentially. */
export function indexesIn(plan: string): { indexes: string[]; seqScans: string[] } {
  const indexes = new Set<string>();
  for (const match of plan.matchAll(
    /(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\S+)/g,
  )) {
    if (match[1]) indexes.add(match[1]);
  }
  const seqScans = [...plan.matchAll(/Seq Scan on (\S+)/g)].map((m) => m[1] ?? '');
  return { indexes: [...indexes], seqScans: [...new Set(seqScans)] };
}

async function explain(em: EntityManager, sql: Sql): Promise<string> {
  const rows = await execSql<Record<string, string>>(em, {
    text: `explain (analyze, buffers) ${sql.text}`,
    params: sql.params,
  });
  return rows.map((row) => row['QUERY PLAN']).join('\n');
}

/** Full-scale measurement against a seeded database (see the header). */
async function measureSeeded(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'database-url': { type: 'string' },
      iterations: { type: 'string', default: '200' },
      runs: { type: 'string', default: '3' },
      'heavy-iterations': { type: 'string' },
      depth: { type: 'string', default: '100000' },
      'explain-out': { type: 'string' },
      only: { type: 'string' },
    },
  });
  const databaseUrl =
    values['database-url'] ?? 'postgres://postgres@127.0.0.1:5432/task_manager_perf';
  const iterations = Number(values.iterations);
  const runs = Number(values.runs);
  const heavyIterations = Number(values['heavy-iterations'] ?? iterations);
  const depth = Number(values.depth);
  const only = values.only ? new RegExp(values.only) : undefined;
  const out = (line: string) => process.stdout.write(`${line}\n`);

  const orm = await initOrm({ databaseUrl, entities, poolMax: 4 });
  try {
    const em = orm.em.fork();
    const subjects = await em.execute<Array<{ id: string; categories: string[] | null }>>(
      `select u.id, (select array_agg(c.id) from categories c where c.user_id = u.id) as categories
         from users u where u.email like 'seed-user-%'`,
    );
    const heavyRow = (
      await em.execute<Array<{ id: string; categories: string[] | null }>>(
        `select u.id, (select array_agg(c.id) from categories c where c.user_id = u.id) as categories
           from users u where u.email = 'seed-heavy@example.test'`,
      )
    )[0];
    if (subjects.length === 0 || !heavyRow) {
      throw new Error(`${databaseUrl} holds no seeded users: run npm run seed first`);
    }
    const regular: Subject[] = subjects.map((s) => ({
      userId: s.id,
      categoryIds: s.categories ?? [],
    }));
    const heavy: Subject = { userId: heavyRow.id, categoryIds: heavyRow.categories ?? [] };
    const now = new Date();
    const deep = new Map<TaskSort, TaskKeysetPosition>();
    for (const sort of ['-created_at', ...SORTS] as TaskSort[]) {
      deep.set(sort, await positionAt(em, heavy.userId, sort, depth));
    }
    const all = shapes(now, deep, depth).filter((shape) => !only || only.test(shape.name));
    const subjectFor = (shape: Shape) => (shape.who === 'heavy' ? heavy : pick(regular));
    const repository = new MikroOrmTaskRepository(orm.em.fork());

    out(
      `# task list at ${new URL(databaseUrl).pathname.slice(1)}: ${regular.length} users + heavy user`,
    );
    out(
      `${iterations} iterations per shape and run (heavy user: ${heavyIterations}), ${runs} runs; ` +
        'each figure (ms, client-side) is the median over the runs of that percentile',
    );
    out('');
    out(
      '| shape | page p50 | p95 | p99 | count p50 | p95 | p99 ' +
        '| list() (page ∥ count) p50 | p95 | p99 | rows | total |',
    );
    out(`|---|${'---|'.repeat(11)}`);
    const plans: string[] = [];
    const counted = new Map<string, { cells: string; total: number; from: string }>();
    for (const shape of all) {
      const iterationsHere = shape.who === 'heavy' ? heavyIterations : iterations;
      const reuse = shape.countKey ? counted.get(shape.countKey) : undefined;
      const parts = ['page', 'count', 'list'] as const;
      type Part = (typeof parts)[number];
      const perRun: Array<Record<Part, Percentiles>> = [];
      let rows = 0;
      let total = reuse?.total ?? 0;
      for (let run = 0; run < runs; run++) {
        const samples: Record<Part, number[]> = { page: [], count: [], list: [] };
        for (let i = -5; i < iterationsHere; i++) {
          const query = shape.query(subjectFor(shape));
          const sql = listStatements(query);
          const took: Partial<Record<Part, number>> = {};
          took.page = await elapsed(async () => {
            rows = (await execSql(em, sql.page)).length;
          });
          if (!reuse) {
            took.count = await elapsed(async () => {
              const result = await execSql<{ total: number }>(em, sql.count);
              total = result[0]?.total ?? 0;
            });
            // The repository runs both statements at once, on two connections.
            took.list = await elapsed(() => repository.list(query));
          }
          if (i < 0) continue; // warm-up
          for (const part of parts) {
            const value = took[part];
            if (value !== undefined) samples[part].push(value);
          }
        }
        perRun.push({
          page: percentilesOf(samples.page),
          count: percentilesOf(samples.count),
          list: percentilesOf(samples.list),
        });
      }
      const cell = (part: Part, p: keyof Percentiles) =>
        fmt(median(perRun.map((r) => r[part][p])), 2);
      const triple = (part: Part) =>
        `${cell(part, 'p50')} | ${cell(part, 'p95')} | ${cell(part, 'p99')}`;
      let countCells: string;
      if (reuse) {
        countCells = `(same SQL as "${reuse.from}") ${reuse.cells}`;
      } else {
        countCells = `${triple('count')} | ${triple('list')}`;
        if (shape.countKey) {
          counted.set(shape.countKey, { cells: countCells, total, from: shape.name });
        }
      }
      out(`| ${shape.name} | ${triple('page')} | ${countCells} | ${rows} | ${total} |`);

      const sample = listStatements(shape.query(subjectFor(shape)));
      const pagePlan = await explain(em, sample.page);
      const countPlan = await explain(em, sample.count);
      const uses = (plan: string) => {
        const use = indexesIn(plan);
        const seq = use.seqScans.length ? `; SEQ SCAN on ${use.seqScans.join(', ')}` : '';
        return `${use.indexes.join(', ') || '(no index)'}${seq}`;
      };
      const block = (title: string, sql: Sql, plan: string) =>
        `### ${title}\n\n\`\`\`sql\n${sql.text}\n-- params: ${JSON.stringify(sql.params)}\n\`\`\`\n\n` +
        `\`\`\`\n${plan}\n\`\`\`\n`;
      plans.push(
        `## ${shape.name}\n\n- page: ${uses(pagePlan)}\n- count: ${uses(countPlan)}\n\n` +
          `${block('page query', sample.page, pagePlan)}\n${block('count query', sample.count, countPlan)}`,
      );
    }
    if (values['explain-out']) {
      writeFileSync(values['explain-out'], `${plans.join('\n')}\n`);
      out(`\nplans: ${values['explain-out']}`);
    }
  } finally {
    await orm.close();
  }
}

/** The bench database, as `benchApp` names it. */
function benchDatabaseUrl(): string {
  const url = new URL(
    process.env.BENCH_DATABASE_URL ??
      process.env.DATABASE_URL ??
      'postgres://postgres@127.0.0.1:5432/task_manager',
  );
  url.pathname = '/task_manager_bench';
  return url.toString();
}

const BENCH_TASKS = 50_000;
const BENCH_DEPTH = 40_000;
const BENCH_PREFIX = 'bench-tasks';

/**
 * The bench user with its 50,000 tasks, seeded on first use and kept for later runs (a dedicated
 * database; reseeding every run would cost half a minute). Rows of an earlier, incomplete seed
 * are removed first.
 */
async function benchUser(orm: Orm): Promise<{ userId: string; seeded?: string }> {
  const em = orm.em.fork();
  const found = await em.execute<Array<{ id: string; tasks: number }>>(
    `select u.id, (select count(*) from tasks t where t.owner_id = u.id)::int as tasks
       from users u where u.email = ?`,
    [`${BENCH_PREFIX}-heavy@example.test`],
  );
  if (found[0] && found[0].tasks === BENCH_TASKS) return { userId: found[0].id };
  await em.execute('delete from users where email like ?', [`${BENCH_PREFIX}-%`]);
  const pool = await nativePool(orm);
  const { rows } = await pool.query<{ empty: boolean }>(
    'select not exists (select 1 from tasks) as empty',
  );
  const report = await seedDatabase(pool, {
    users: 20,
    tasksPerUser: 20,
    heavyUserTasks: BENCH_TASKS,
    emailPrefix: BENCH_PREFIX,
    rebuildIndexes: rows[0]?.empty ?? false,
  });
  if (!report.heavyUserId) throw new Error('the seed made no heavy user');
  const seconds = Object.values(report.seconds).reduce((a, b) => a + b, 0);
  return {
    userId: report.heavyUserId,
    seeded: `seeded ${report.tasks} tasks (${BENCH_TASKS} for one user) in ${fmt(seconds)} s; later runs reuse them`,
  };
}

/** Median server-side execution time (EXPLAIN ANALYZE, no per-node timing) of `sql`, in ms. */
async function serverMs(em: EntityManager, sql: Sql, n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const rows = await execSql<Record<string, string>>(em, {
      text: `explain (analyze, timing off) ${sql.text}`,
      params: sql.params,
    });
    const line = rows
      .map((row) => row['QUERY PLAN'] ?? '')
      .find((l) => l.startsWith('Execution Time'));
    times.push(Number(/([\d.]+) ms/.exec(line ?? '')?.[1] ?? Number.NaN));
  }
  return median(times);
}

/** `npm run bench`: one user with 50,000 tasks in the bench database. */
export async function taskListBench(): Promise<string[]> {
  const orm: Orm = await initOrm({ databaseUrl: benchDatabaseUrl(), entities, poolMax: 4 });
  const lines: string[] = [];
  try {
    await migrate(orm);
    const { userId, seeded } = await benchUser(orm);
    if (seeded) lines.push(seeded);

    const em = orm.em.fork();
    const deep = await positionAt(em, userId, '-created_at', BENCH_DEPTH);
    const subject: Subject = { userId, categoryIds: [] };
    const firstQuery = base(subject);
    const keysetQuery = base(subject, { window: { type: 'after', position: deep } });
    const offsetQuery = base(subject, { window: { type: 'offset', offset: BENCH_DEPTH } });
    const run = (sql: Sql) => () => execSql(em, sql);
    const page = (query: TaskListQuery) => run(listStatements(query).page);
    const time = async (n: number, op: () => Promise<unknown>) => {
      await measure(5, 1, op); // warm-up
      return (await measure(n, 1, op)).microsPerOp / 1000;
    };
    const first = await time(200, page(firstQuery));
    const keysetDeep = await time(200, page(keysetQuery));
    const offsetDeep = await time(20, page(offsetQuery));
    const search = await time(100, page(base(subject, { q: COMMON_WORD })));
    const count = await time(30, run(listStatements(firstQuery).count));
    const server = {
      first: await serverMs(em, listStatements(firstQuery).page, 21),
      keyset: await serverMs(em, listStatements(keysetQuery).page, 21),
      offset: await serverMs(em, listStatements(offsetQuery).page, 11),
    };
    lines.push(
      `keyset page after ${BENCH_DEPTH} rows: ${fmt(keysetDeep, 2)} ms; first page ${fmt(first, 2)} ms; ` +
        `ratio ${fmt(keysetDeep / first, 2)} (target ≈ 1)`,
      `offset page at ${BENCH_DEPTH} (page ${BENCH_DEPTH / 20 + 1}): ${fmt(offsetDeep, 2)} ms; ` +
        `keyset at the same depth ${fmt(keysetDeep, 2)} ms; ratio ${fmt(offsetDeep / keysetDeep, 1)}`,
      `  in the database alone (EXPLAIN ANALYZE, median): first page ${fmt(server.first, 2)} ms, ` +
        `keyset deep ${fmt(server.keyset, 2)} ms (ratio ${fmt(server.keyset / server.first, 2)}), ` +
        `offset deep ${fmt(server.offset, 2)} ms (ratio to keyset ${fmt(server.offset / server.keyset, 0)})`,
      `search q="${COMMON_WORD}": ${fmt(search, 2)} ms; default list ${fmt(first, 2)} ms; ` +
        `ratio ${fmt(search / first, 2)}`,
      `count (total) of ${BENCH_TASKS} tasks: ${fmt(count, 2)} ms; first page ${fmt(first, 2)} ms; ` +
        `ratio ${fmt(count / first, 1)} (every list request pays it, at any depth)`,
    );
    return lines;
  } finally {
    await orm.close();
  }
}

if (import.meta.main) {
  measureSeeded().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    },
  );
}
