import { Redis } from 'ioredis';
import pg from 'pg';
import { fmt } from './support.ts';

/**
 * Would a Redis cache-aside pay for the hottest by-id reads (`GET /tasks/{id}`, `GET /users/me`)?
 * (`npm run bench -- cache`, on the database seeded for the load bench, `BENCH_LOAD_DATABASE_URL`.)
 *
 * A hit replaces the service's PostgreSQL read by a Redis GET + JSON.parse; a miss adds a GET and
 * a SET to the read; every write to a task or user adds a DEL (and, to stay right across
 * instances, must do it after its commit). So the cache pays only where a GET is clearly cheaper
 * than the read it replaces. Both are measured here side by side, interleaved, on the same rows:
 * one connection (latency per read) and 16 at once (reads per second, where the two servers
 * compete with each other and with node for the cores).
 */

const databaseUrl =
  process.env.BENCH_LOAD_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/task_manager_perf';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** `MikroOrmTaskRepository.findVisible`'s statement (values inlined, as `em.execute` sends them). */
const taskById = (taskId: string, userId: string) => `select
  t.id, t.owner_id, t.assignee_id, t.title, t.description, t.status, t.priority, t.due_date,
  t.remind_at, t.created_at, t.updated_at, t.completed_at, t.deleted_at, t.version,
  coalesce((
    select json_agg(json_build_object(
      'id', c.id, 'user_id', c.user_id, 'name', c.name, 'color', c.color, 'created_at', c.created_at
    ) order by c.name_key)
    from task_categories tc join categories c on c.id = tc.category_id
    where tc.task_id = t.id
  ), '[]'::json) as categories,
  (select count(*) from comments cm where cm.task_id = t.id)::int as comment_count,
  (select count(*) from attachments a where a.task_id = t.id)::int as attachment_count
  from tasks t
  where t.id = '${taskId}' and t.deleted_at is null and (t.owner_id = '${userId}' or t.assignee_id = '${userId}')`;

/** The same read as a named prepared statement: planned once per connection, not once per read. */
const TASK_BY_ID = {
  name: 'bench_tasks_by_id',
  text: taskById('$1', '$2').replace(/'\$(\d)'/g, '$$$1::uuid'),
};

/** `MikroOrmUserRepository.findById`'s prepared statement (the one `/users/me` and auth use). */
const USER_BY_ID = {
  name: 'bench_users_by_id',
  text: `select id, email, full_name, password_hash, role, email_verified, is_active,
                failed_login_count, locked_until, created_at, updated_at
           from users where id = $1`,
};

interface Side {
  /** Microseconds per read, one at a time on one connection. */
  serialMicros: number;
  /** Reads per second with 16 in flight. */
  parallelPerSecond: number;
}

async function measure(read: (i: number) => Promise<unknown>, n: number): Promise<Side> {
  for (let i = 0; i < 50; i++) await read(i);
  let started = performance.now();
  for (let i = 0; i < n; i++) await read(i);
  const serialMicros = ((performance.now() - started) * 1000) / n;
  let next = 0;
  started = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < n * 2; i = next++) await read(i);
    }),
  );
  return { serialMicros, parallelPerSecond: (n * 2) / ((performance.now() - started) / 1000) };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? Number.NaN;

export async function cacheBench(): Promise<string[]> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 8 });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const prefix = `bench:cache:${process.pid}:`;
  try {
    const { rows: targets } = await pool.query<{ id: string; owner_id: string }>(
      `select t.id, t.owner_id from tasks t join users u on u.id = t.owner_id
        where u.email like 'seed-user-%' and t.deleted_at is null
        order by t.id limit 500`,
    );
    if (targets.length < 500) {
      throw new Error(`${databaseUrl} holds too few seeded tasks: run npm run seed first`);
    }
    const target = (i: number) => targets[i % targets.length]!;
    // What a cache would hold: the row as the service reads it, serialised once.
    for (const t of targets) {
      const { rows: task } = await pool.query(taskById(t.id, t.owner_id));
      const { rows: user } = await pool.query({ ...USER_BY_ID, values: [t.owner_id] });
      await redis.set(`${prefix}task:${t.id}`, JSON.stringify(task[0]));
      await redis.set(`${prefix}user:${t.owner_id}`, JSON.stringify(user[0]));
    }

    const sides = {
      taskSql: (i: number) => pool.query(taskById(target(i).id, target(i).owner_id)),
      taskPrepared: (i: number) =>
        pool.query({ ...TASK_BY_ID, values: [target(i).id, target(i).owner_id] }),
      taskRedis: async (i: number) =>
        JSON.parse((await redis.get(`${prefix}task:${target(i).id}`))!) as unknown,
      userSql: (i: number) => pool.query({ ...USER_BY_ID, values: [target(i).owner_id] }),
      userRedis: async (i: number) =>
        JSON.parse((await redis.get(`${prefix}user:${target(i).owner_id}`))!) as unknown,
      invalidate: (i: number) => redis.del(`${prefix}none:${i}`),
    };
    const results: Record<keyof typeof sides, Side[]> = {
      taskSql: [],
      taskPrepared: [],
      taskRedis: [],
      userSql: [],
      userRedis: [],
      invalidate: [],
    };
    const n = 1000;
    for (let round = 0; round < 3; round++) {
      for (const key of Object.keys(sides) as Array<keyof typeof sides>) {
        results[key].push(await measure(sides[key], n));
      }
    }
    const serial = (key: keyof typeof sides) => median(results[key].map((r) => r.serialMicros));
    const parallel = (key: keyof typeof sides) =>
      median(results[key].map((r) => r.parallelPerSecond));
    const verdict = (sql: keyof typeof sides, cached: keyof typeof sides, what: string) => {
      const saved = serial(sql) - serial(cached);
      // A miss pays a GET and a SET on top of the read; a write pays a DEL.
      const missCost = 2 * serial(cached);
      return [
        `${what}: PostgreSQL ${fmt(serial(sql), 0)} µs per read at one connection, ` +
          `${fmt(parallel(sql), 0)} reads/s with 16 in flight; Redis GET + JSON.parse ` +
          `${fmt(serial(cached), 0)} µs, ${fmt(parallel(cached), 0)}/s; ` +
          `a hit saves ${fmt(saved, 0)} µs (ratio Redis/PostgreSQL ${fmt(serial(cached) / serial(sql), 2)} ` +
          `serial, ${fmt(parallel(sql) / parallel(cached), 2)} by throughput)`,
        `  a miss costs ${fmt(missCost, 0)} µs more, every write a DEL of ${fmt(serial('invalidate'), 0)} µs; ` +
          `hit rate needed to break even on reads alone: ${
            saved > 0
              ? `${fmt((100 * missCost) / (saved + missCost), 0)} %`
              : 'none (a hit is not cheaper)'
          }`,
      ];
    };
    return [
      ...verdict(
        'taskSql',
        'taskRedis',
        'GET /tasks/{id} read (task + categories + counts, values inlined as the service sends it)',
      ),
      ...verdict('taskPrepared', 'taskRedis', 'the same read as a prepared statement'),
      ...verdict('userSql', 'userRedis', 'GET /users/me read (user by id, prepared)'),
    ];
  } finally {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await pool.end();
  }
}
