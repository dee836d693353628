import type { EntityManager } from '@mikro-orm/postgresql';
import { writeFileSync } from 'node:fs';
import { nativePool, seedDatabase } from './seed.ts';
import { entities } from '../src/container.ts';
import { MikroOrmTaskRepository } from '../src/modules/tasks/adapters/persistence/mikro-orm-task-repository.ts';
import {
  countQuery,
  pageQuery,
} from '../src/modules/tasks/adapters/persistence/task-list-query.ts';
import { toTaskView } from '../src/modules/tasks/adapters/persistence/task-rows.ts';
import { tasksDb } from '../src/modules/tasks/adapters/persistence/tasks-db.ts';
import type { TaskListQuery } from '../src/modules/tasks/application/ports.ts';
import type {
  TaskKeysetPosition,
  TaskSort,
} from '../src/modules/tasks/application/support/task-sort.ts';
import { initOrm, migrate, type Orm } from '../src/shared/infra/orm.ts';
import { rowsOf } from '../src/shared/infra/typed-statements.ts';
import { compiler, execSql, type Sql } from './list-sql.ts';
import { listStatements as preProjectStatements } from './pre-project-list-query.ts';
import { fmt } from './support.ts';
import {
  base,
  indexesIn,
  percentilesOf,
  positionAt,
  shapes,
  type Shape,
  type Subject,
} from './task-list.bench.ts';

/**
 * `npm run bench -- projects`: task lists once users share projects. One database,
 * task_manager_bench_projects, seeded on first use and kept: 10,000 users × 100 tasks, one user
 * with 200,000, and 1,000 shared projects of 20 members with 1,000 tasks each (2.2M tasks).
 *
 * Every list shape of the task-list bench runs twice per iteration, interleaved (the order
 * alternating): as the service lists today (every task of the caller's projects and assigned to
 * them) and as it listed before shared projects (owned or assigned: bench/pre-project-list-query.ts,
 * the repository's `list` as it was, page and count at once). p50/p95 of each, client-side, and
 * the ratio of the p95s (≤ 1.5 is the bar). The lists differ in what they return (a member of two
 * shared projects now sees about 2,100 tasks instead of about 110): the comparison is of the
 * request the same client makes. Then EXPLAIN (ANALYZE) of each new page and count statement,
 * flagging any sequential scan; `BENCH_PROJECTS_PLANS=FILE` writes the plans in full.
 */

const USERS = 10_000;
const TASKS_PER_USER = 100;
const HEAVY_TASKS = 200_000;
const PROJECTS = 1_000;
const MEMBERS = 20;
const TASKS_PER_PROJECT = 1_000;
const DEPTH = 100_000;
const PREFIX = 'seed';
const ITERATIONS = Number(process.env.BENCH_PROJECTS_ITERATIONS ?? 150);
const HEAVY_ITERATIONS = Number(process.env.BENCH_PROJECTS_HEAVY_ITERATIONS ?? 20);

function databaseUrl(): string {
  const url = new URL(
    process.env.BENCH_DATABASE_URL ??
      process.env.DATABASE_URL ??
      'postgres://postgres@127.0.0.1:5432/task_manager',
  );
  url.pathname = '/task_manager_bench_projects';
  return url.toString();
}

async function seeded(orm: Orm): Promise<string | undefined> {
  const pool = await nativePool(orm);
  const { rows } = await pool.query<{ heavy: number; shared: number }>(
    `select (select count(*) from tasks t join users u on u.id = t.owner_id
              where u.email = $1)::int as heavy,
            (select count(*) from projects where inbox_user_id is null)::int as shared`,
    [`${PREFIX}-heavy@example.test`],
  );
  if (rows[0]?.heavy === HEAVY_TASKS && rows[0].shared === PROJECTS) return undefined;
  await pool.query('truncate users, projects, tasks, outbox_events cascade');
  const report = await seedDatabase(pool, {
    users: USERS,
    tasksPerUser: TASKS_PER_USER,
    heavyUserTasks: HEAVY_TASKS,
    sharedProjects: PROJECTS,
    membersPerProject: MEMBERS,
    tasksPerProject: TASKS_PER_PROJECT,
    emailPrefix: PREFIX,
    rebuildIndexes: true,
  });
  const seconds = Object.values(report.seconds).reduce((a, b) => a + b, 0);
  return `seeded ${report.tasks} tasks (${report.projectTasks} in shared projects) in ${fmt(seconds)} s; later runs reuse them`;
}

/** The repository's `list` as it was before shared projects: page and count at once. */
async function preProjectList(em: EntityManager, query: TaskListQuery) {
  const statements = preProjectStatements(tasksDb(em), query);
  const prepare = query.window.type === 'after' || query.window.offset === 0;
  const [rows, totals] = await Promise.all([
    rowsOf(em, statements.page, prepare),
    rowsOf(em, statements.count, prepare),
  ]);
  return {
    items: rows.slice(0, query.limit).map(toTaskView),
    total: totals[0]?.total ?? 0,
  };
}

const elapsed = async (work: () => Promise<unknown>): Promise<number> => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};

const toSql = (compiled: { sql: string; parameters: readonly unknown[] }): Sql => ({
  text: compiled.sql,
  params: [...compiled.parameters],
});

async function explain(em: EntityManager, sql: Sql): Promise<string> {
  const rows = await execSql<Record<string, string>>(em, {
    text: `explain (analyze, buffers, timing off) ${sql.text}`,
    params: sql.params,
  });
  return rows.map((row) => row['QUERY PLAN']).join('\n');
}

interface Member extends Subject {
  /** A shared project the user is a member of. */
  projectId: string;
  inboxId: string;
}

export async function projectsListBench(): Promise<string[]> {
  const orm = await initOrm({ databaseUrl: databaseUrl(), entities, poolMax: 4 });
  const lines: string[] = [];
  try {
    await migrate(orm);
    const note = await seeded(orm);
    if (note) lines.push(note);
    const em = orm.em.fork();
    const repository = new MikroOrmTaskRepository(orm.em.fork());
    const members = await execSql<{
      id: string;
      categories: string[] | null;
      project_id: string;
      inbox_id: string;
    }>(em, {
      text: `select u.id,
                    (select array_agg(c.id) from categories c where c.user_id = u.id) as categories,
                    (select m.project_id from project_members m join projects p on p.id = m.project_id
                      where m.user_id = u.id and p.inbox_user_id is null limit 1) as project_id,
                    (select p.id from projects p where p.inbox_user_id = u.id) as inbox_id
               from users u where u.email like $1`,
      params: [`${PREFIX}-user-%`],
    });
    const regular: Member[] = members
      .filter((m) => m.project_id !== null)
      .map((m) => ({
        userId: m.id,
        categoryIds: m.categories ?? [],
        projectId: m.project_id,
        inboxId: m.inbox_id,
      }));
    const [heavyRow] = await execSql<{ id: string }>(em, {
      text: 'select id from users where email = $1',
      params: [`${PREFIX}-heavy@example.test`],
    });
    if (regular.length === 0 || !heavyRow) throw new Error('the bench database is not seeded');
    const heavy: Subject = { userId: heavyRow.id, categoryIds: [] };
    const [sizes] = await execSql<{ tasks: number; shared: number; memberships: number }>(em, {
      text: `select (select count(*) from tasks)::int as tasks,
                    (select count(*) from tasks t join projects p on p.id = t.project_id
                      where p.inbox_user_id is null)::int as shared,
                    (select count(*) from project_members)::int as memberships`,
      params: [],
    });
    lines.push(
      `tasks: ${sizes?.tasks} (${sizes?.shared} in ${PROJECTS} shared projects), memberships: ` +
        `${sizes?.memberships}; ${regular.length} members of shared projects, heavy user ${HEAVY_TASKS}`,
    );

    const deep = new Map<TaskSort, TaskKeysetPosition>();
    for (const sort of [
      '-created_at',
      'due_date',
      '-due_date',
      'priority',
      '-priority',
      'title',
      '-updated_at',
    ] as TaskSort[]) {
      deep.set(sort, await positionAt(em, heavy.userId, sort, DEPTH));
    }
    const pickMember = () => regular[Math.floor(Math.random() * regular.length)]!;
    const existing = shapes(new Date(), deep, DEPTH);
    const added: Shape[] = [
      {
        name: 'project_id=shared project',
        who: 'regular',
        query: (s) => base(s, { projectId: (s as Member).projectId }),
      },
      {
        name: 'project_id=Inbox',
        who: 'regular',
        query: (s) => base(s, { projectId: (s as Member).inboxId }),
      },
      {
        name: 'shared project, status=pending, -priority',
        who: 'regular',
        query: (s) =>
          base(s, { projectId: (s as Member).projectId, status: 'pending', sort: '-priority' }),
      },
    ];
    const subjectFor = (shape: Shape): Subject => (shape.who === 'heavy' ? heavy : pickMember());

    lines.push(
      `${ITERATIONS} iterations per shape (heavy user ${HEAVY_ITERATIONS}; deep offset 10), old and new ` +
        'interleaved; ms, client-side, page and count at once as the repository runs them',
      '',
      '| shape | before p50 | before p95 | now p50 | now p95 | p95 ratio | rows now | total now |',
      '|---|---|---|---|---|---|---|---|',
    );
    const plans: string[] = [];
    let seqScans = 0;
    let over = 0;
    for (const shape of [...existing, ...added]) {
      const isAdded = added.includes(shape);
      const n =
        shape.who === 'heavy'
          ? shape.name.includes('offset')
            ? 10
            : HEAVY_ITERATIONS
          : ITERATIONS;
      const before: number[] = [];
      const now: number[] = [];
      let rows = 0;
      let total: number | undefined = 0;
      for (let i = -3; i < n; i++) {
        const query = shape.query(subjectFor(shape));
        const runNew = () =>
          elapsed(async () => {
            const result = await repository.list(query);
            rows = result.items.length;
            total = result.total;
          });
        const runOld = () => elapsed(() => preProjectList(em, query));
        let o = 0;
        let m: number;
        if (isAdded) {
          m = await runNew();
        } else if (i % 2 === 0) {
          o = await runOld();
          m = await runNew();
        } else {
          m = await runNew();
          o = await runOld();
        }
        if (i < 0) continue;
        before.push(o);
        now.push(m);
      }
      const b = percentilesOf(before);
      const a = percentilesOf(now);
      const ratio = a.p95 / b.p95;
      if (!isAdded && ratio > 1.5) over += 1;
      lines.push(
        isAdded
          ? `| ${shape.name} (new) | – | – | ${fmt(a.p50, 2)} | ${fmt(a.p95, 2)} | – | ${rows} | ${total} |`
          : `| ${shape.name} | ${fmt(b.p50, 2)} | ${fmt(b.p95, 2)} | ${fmt(a.p50, 2)} | ${fmt(a.p95, 2)} | ` +
              `${fmt(ratio, 2)}${ratio > 1.5 ? ' OVER 1.5' : ''} | ${rows} | ${total} |`,
      );

      const sample = shape.query(subjectFor(shape));
      for (const [part, sql] of [
        ['page', toSql(pageQuery(compiler, sample).compile())],
        ['count', toSql(countQuery(compiler, sample).compile())],
      ] as const) {
        const plan = await explain(em, sql);
        const use = indexesIn(plan);
        seqScans += use.seqScans.length;
        const time = /Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? '?';
        plans.push(
          `## ${shape.name}: ${part} (${time} ms)\n\nindexes: ${use.indexes.join(', ') || 'none'}` +
            (use.seqScans.length ? `; SEQUENTIAL SCAN on ${use.seqScans.join(', ')}` : '') +
            `\n\n\`\`\`\n${plan}\n\`\`\`\n`,
        );
        if (use.seqScans.length > 0) {
          lines.push(`  ${shape.name} ${part}: SEQUENTIAL SCAN on ${use.seqScans.join(', ')}`);
        }
      }
    }
    lines.push(
      '',
      over === 0 ? 'every shape within 1.5× of its p95 before' : `${over} shapes over 1.5×`,
      seqScans === 0
        ? 'no sequential scan in any page or count plan'
        : `${seqScans} sequential scans`,
    );
    const out = process.env.BENCH_PROJECTS_PLANS;
    if (out) {
      writeFileSync(out, `${plans.join('\n')}\n`);
      lines.push(`plans: ${out}`);
    }
  } finally {
    await orm.close();
  }
  return lines;
}
