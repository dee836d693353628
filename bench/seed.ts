import { parseArgs } from 'node:util';
import type { Pool, PoolClient } from 'pg';
import { CliError, runCli } from '../src/cli/run-cli.ts';
import { loadConfig } from '../src/config.ts';
import { entities } from '../src/container.ts';
import { BcryptPasswordHasher } from '../src/modules/identity/adapters/security/bcrypt-password-hasher.ts';
import { initOrm, migrate, type Orm } from '../src/shared/infra/orm.ts';

/**
 * `npm run seed -- --users 10000 --tasks-per-user 100 [--heavy-user-tasks 200000]
 *   [--shared-projects 1000 [--members-per-project 20] [--tasks-per-project 1000]]
 *   [--database-url URL] [--reset]`
 *
 * Fills a database for measurements with set-based SQL (`insert ... select ... generate_series`):
 * users (one bcrypt hash, computed once, shared by all), a few categories each, tasks with a
 * realistic spread of statuses, priorities, due dates, reminders, assignments and soft deletes,
 * their categories, some comments and attachment rows (no blobs), and optionally shared projects
 * whose members are seeded users, with their own tasks. Tasks are written in time
 * slices, each in `created_at` order across all users, so the heap is laid out as a year of real
 * use would leave it (a user's tasks scattered over many pages), not one user per block.
 */

export const SEED_PASSWORD = 'seeded password for measurements';

const USAGE =
  'usage: npm run seed -- [--users 100] [--tasks-per-user 100] [--heavy-user-tasks 0] ' +
  '[--shared-projects 0] [--members-per-project 20] [--tasks-per-project 1000] ' +
  '[--database-url URL] [--reset]';

export interface SeedOptions {
  users: number;
  tasksPerUser: number;
  /** Tasks of one extra user (`<prefix>-heavy@example.test`), for deep paging; 0 for none. */
  heavyUserTasks: number;
  /**
   * Shared projects, each with `membersPerProject` of the regular users (consecutive ones, so each
   * user is in about projects × members / users of them; the first is the owner) and
   * `tasksPerProject` tasks created by its members, some assigned to members. 0 for none.
   */
  sharedProjects?: number;
  membersPerProject?: number;
  tasksPerProject?: number;
  /** Emails are `<prefix>-user-00001@example.test`, ...; lets several seeds share a database. */
  emailPrefix?: string;
  /**
   * Drops the secondary indexes and foreign keys of the filled tables and rebuilds them after the
   * load (for empty tables: it takes an exclusive lock on them for the whole seed).
   */
  rebuildIndexes?: boolean;
  /** Tasks per time slice (one statement each); smaller slices report progress more often. */
  sliceRows?: number;
  bcryptCost?: number;
  log?: (line: string) => void;
}

export interface SeedReport {
  users: number;
  heavyUserId: string | undefined;
  categories: number;
  /** Every seeded task, the shared projects' included. */
  tasks: number;
  sharedProjects: number;
  projectTasks: number;
  taskCategories: number;
  comments: number;
  attachments: number;
  seconds: Record<string, number>;
}

/** Tables the seed fills, in dependency order. */
export const SEEDED_TABLES = [
  'users',
  'projects',
  'project_members',
  'categories',
  'tasks',
  'task_categories',
  'comments',
  'attachments',
] as const;

// prettier-ignore
const WORDS = [
  // Common task vocabulary first: words are drawn with a skew towards the start of the list.
  'review', 'update', 'call', 'email', 'meeting', 'report', 'draft', 'send', 'check', 'fix',
  'plan', 'prepare', 'schedule', 'follow', 'up', 'with', 'the', 'for', 'and', 'team',
  'client', 'budget', 'invoice', 'project', 'proposal', 'presentation', 'notes', 'design', 'document', 'order',
  'book', 'pay', 'renew', 'clean', 'buy', 'groceries', 'doctor', 'appointment', 'dentist', 'car',
  'insurance', 'tax', 'return', 'quarterly', 'weekly', 'monthly', 'annual', 'summary', 'feedback', 'contract',
  'website', 'release', 'deploy', 'server', 'backup', 'database', 'migration', 'test', 'bug', 'feature',
  'roadmap', 'sprint', 'retro', 'standup', 'interview', 'candidate', 'hiring', 'onboarding', 'training', 'workshop',
  'conference', 'travel', 'flight', 'hotel', 'visa', 'passport', 'birthday', 'gift', 'party', 'dinner',
  'lunch', 'coffee', 'gym', 'run', 'yoga', 'garden', 'kitchen', 'laundry', 'repair', 'plumber',
  'electrician', 'landlord', 'rent', 'mortgage', 'bank', 'transfer', 'receipt', 'expense', 'refund', 'subscription',
  'cancel', 'confirm', 'approve', 'sign', 'print', 'scan', 'upload', 'download', 'archive', 'organise',
  'inventory', 'supplier', 'vendor', 'quote', 'estimate', 'deadline', 'milestone', 'launch', 'campaign', 'newsletter',
  'blog', 'post', 'article', 'video', 'podcast', 'slides', 'spreadsheet', 'dashboard', 'metrics', 'analytics',
  'customer', 'support', 'ticket', 'escalation', 'incident', 'postmortem', 'security', 'audit', 'compliance', 'policy',
  'legal', 'review', 'partner', 'agreement', 'renewal', 'license', 'hardware', 'laptop', 'monitor', 'keyboard',
  'printer', 'network', 'router', 'password', 'account', 'access', 'permissions', 'calendar', 'agenda', 'minutes',
  'board', 'investor', 'pitch', 'deck', 'forecast', 'revenue', 'pricing', 'discount', 'shipment', 'delivery',
  'warehouse', 'packaging', 'label', 'photo', 'shoot', 'logo', 'brand', 'style', 'guide', 'copy',
  'translation', 'localisation', 'accessibility', 'performance', 'latency', 'cache', 'index', 'query', 'refactor', 'cleanup',
  'dependency', 'upgrade', 'library', 'framework', 'documentation', 'readme', 'changelog', 'benchmark', 'profiling', 'memory',
  'school', 'homework', 'teacher', 'parents', 'evening', 'pickup', 'dropoff', 'vet', 'dog', 'cat',
  'plants', 'water', 'paint', 'fence', 'roof', 'gutter', 'window', 'door', 'lock', 'key',
  'volunteer', 'charity', 'donation', 'fundraiser', 'neighbour', 'community', 'library', 'museum', 'concert', 'tickets',
  'recipe', 'bake', 'cake', 'bread', 'wine', 'cheese', 'market', 'pharmacy', 'prescription', 'vitamins',
  'marathon', 'bicycle', 'tyres', 'service', 'mechanic', 'parking', 'permit', 'fine', 'appeal', 'council',
];

// Names of people, clients and projects: three syllables out of 40, about 64,000 distinct words,
// each rare — what a search for a specific name looks like.
// prettier-ignore
const SYLLABLES = [
  'ka', 'lo', 'mi', 'ra', 'ten', 'vor', 'zu', 'bel', 'dri', 'fan', 'gol', 'hes', 'jun', 'kir', 'lum',
  'mor', 'nav', 'pel', 'quin', 'ros', 'sam', 'tor', 'ul', 'vek', 'wyn', 'xan', 'yor', 'zel', 'ar', 'bo',
  'cy', 'da', 'el', 'fi', 'gu', 'ho', 'is', 'jo', 'ke', 'ly',
];

// prettier-ignore
const FIRST_NAMES = ['Ada', 'Ben', 'Chloé', 'Dmitri', 'Emeka', 'Fatima', 'Giulia', 'Hiro', 'Ines', 'Jonas',
  'Kai', 'Lena', 'Mateo', 'Nadia', 'Omar', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tamar', 'Uma', 'Viktor',
  'Wen', 'Ximena', 'Yusuf', 'Zoë'];
// prettier-ignore
const LAST_NAMES = ['Okafor', 'Müller', 'García', 'Nakamura', 'Kowalski', 'Haddad', 'Silva', 'Nguyen',
  'Johansson', 'Rossi', 'Dubois', 'Patel', 'Cohen', 'Ivanova', 'Smith', 'Kim', 'Mensah', 'Larsen'];

const CATEGORY_NAMES = [
  'Work',
  'Home',
  'Errands',
  'Finance',
  'Health',
  'Learning',
  'Travel',
  'Family',
];

/** A UUID v7 (time-ordered, as the application's ids are) for the time `ts`, random elsewhere. */
const uuid7 = (ts: string) =>
  `(lpad(to_hex(floor(extract(epoch from ${ts}) * 1000)::bigint), 12, '0') || '7'
     || substr(replace(gen_random_uuid()::text, '-', ''), 14))::uuid`;

/** One word of the array parameter `$n`, skewed towards the common ones at its start. */
const word = (n: number) =>
  `($${n}::text[])[1 + floor(power(random(), 2.2) * cardinality($${n}::text[]))::int]`;

/**
 * `count` (a column holding min..max) words of `$n`, separated by spaces. A plain expression, not a
 * subquery over generate_series: several times cheaper per row.
 */
const words = (n: number, min: number, max: number, count: string) =>
  Array.from({ length: max }, (_, i) =>
    i === 0
      ? word(n)
      : i < min
        ? `' ' || ${word(n)}`
        : `case when ${count} > ${i} then ' ' || ${word(n)} else '' end`,
  ).join(' || ');

const rareName = (n: number) =>
  `($${n}::text[])[1 + floor(random() * cardinality($${n}::text[]))::int]
     || ($${n}::text[])[1 + floor(random() * cardinality($${n}::text[]))::int]
     || ($${n}::text[])[1 + floor(random() * cardinality($${n}::text[]))::int]`;

/**
 * Seeds on one connection, in one transaction: a failure leaves the database as it was. Only rows
 * of the users it creates are touched, so it can add to a database that holds other data.
 */
export async function seedDatabase(pool: Pool, options: SeedOptions): Promise<SeedReport> {
  const log = options.log ?? (() => undefined);
  const prefix = options.emailPrefix ?? 'seed';
  const seconds: Record<string, number> = {};
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    seconds[phase] = (performance.now() - started) / 1000;
    return result;
  };

  const passwordHash = await timed('bcrypt (once)', () =>
    new BcryptPasswordHasher(options.bcryptCost ?? 12).hash(SEED_PASSWORD),
  );

  const client = await pool.connect();
  let report: SeedReport;
  try {
    await client.query('begin');
    await client.query(`set local statement_timeout = 0`);
    // JIT would spend seconds compiling these one-off statements' large expressions.
    await client.query(`set local jit = off`);
    await client.query(`set local maintenance_work_mem = '512MB'`);
    await client.query(`set local work_mem = '64MB'`);
    const dropped = options.rebuildIndexes ? await dropForLoad(client) : [];
    report = await fill(client, options, prefix, passwordHash, timed, log);
    if (dropped.length > 0) {
      await timed('indexes and foreign keys', async () => {
        for (const item of dropped) {
          const started = performance.now();
          await client.query(item.definition);
          log(
            `  ${item.kind} ${item.name}: ${((performance.now() - started) / 1000).toFixed(1)} s`,
          );
        }
      });
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  // Sets the visibility map as autovacuum would on a live table, and gives the planner statistics.
  await timed('vacuum analyze', async () => {
    const vacuuming = await pool.connect();
    try {
      await vacuuming.query('set statement_timeout = 0');
      for (const table of SEEDED_TABLES) await vacuuming.query(`vacuum (analyze) ${table}`);
    } finally {
      await vacuuming.query('reset statement_timeout').catch(() => undefined);
      vacuuming.release();
    }
  });
  report.seconds = seconds;
  return report;
}

interface Dropped {
  kind: 'index' | 'foreign key';
  name: string;
  /** The statement that recreates it. */
  definition: string;
}

/**
 * What a bulk load is better off without ("Populating a Database" in the PostgreSQL manual):
 * secondary indexes and foreign keys of the filled tables, each rebuilt in one pass after the load
 * from its own definition, so whatever the migrations say is what comes back. Indexes that back
 * constraints (primary keys, `unique` columns) stay.
 */
async function dropForLoad(client: PoolClient): Promise<Dropped[]> {
  const tables = SEEDED_TABLES.filter(
    (table) => table !== 'users' && table !== 'projects' && table !== 'project_members',
  );
  const indexes = await client.query<{ name: string; definition: string }>(
    `select c.relname as name, pg_get_indexdef(i.indexrelid) as definition
       from pg_index i
       join pg_class c on c.oid = i.indexrelid
       join pg_class t on t.oid = i.indrelid
      where t.relname = any($1) and t.relnamespace = current_schema()::regnamespace
        and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)
      order by t.relname, c.relname`,
    [tables],
  );
  const foreignKeys = await client.query<{ name: string; table: string; definition: string }>(
    `select k.conname as name, t.relname as table, pg_get_constraintdef(k.oid) as definition
       from pg_constraint k join pg_class t on t.oid = k.conrelid
      where k.contype = 'f' and t.relname = any($1)
        and t.relnamespace = current_schema()::regnamespace
      order by t.relname, k.conname`,
    [tables],
  );
  for (const fk of foreignKeys.rows) {
    await client.query(`alter table "${fk.table}" drop constraint "${fk.name}"`);
  }
  for (const index of indexes.rows) await client.query(`drop index "${index.name}"`);
  return [
    ...indexes.rows.map((index) => ({ kind: 'index' as const, ...index })),
    ...foreignKeys.rows.map((fk) => ({
      kind: 'foreign key' as const,
      name: fk.name,
      definition: `alter table "${fk.table}" add constraint "${fk.name}" ${fk.definition}`,
    })),
  ];
}

type Timed = <T>(phase: string, work: () => Promise<T>) => Promise<T>;

async function fill(
  client: PoolClient,
  options: SeedOptions,
  prefix: string,
  passwordHash: string,
  timed: Timed,
  log: (line: string) => void,
): Promise<SeedReport> {
  const { users, tasksPerUser, heavyUserTasks } = options;
  const heavy = heavyUserTasks > 0 ? 1 : 0;
  const totalUsers = users + heavy;
  const now = new Date();
  const yearAgo = new Date(now.getTime() - 365 * 86_400_000);
  const count = async (sql: string, params: unknown[] = []) =>
    (await client.query<{ n: number }>(sql, params)).rows[0]?.n ?? 0;

  // Users 1..users, then the heavy user; `tasks` is how many tasks each will own.
  await client.query(`create temporary table seed_users (
      n int primary key, id uuid not null unique, tasks int not null, categories int not null,
      inbox uuid not null unique
    ) on commit drop`);
  await timed('users', async () => {
    await client.query(
      `insert into seed_users (n, id, tasks, categories, inbox)
       select n, ${uuid7(`$3::timestamptz - random() * interval '2 years'`)},
              case when n > $1::int then $2::int else $4::int end, 3 + floor(random() * 4)::int,
              ${uuid7(`$3::timestamptz - random() * interval '2 years'`)}
         from generate_series(1, $1::int + $5::int) n`,
      [users, heavyUserTasks, yearAgo, tasksPerUser, heavy],
    );
    await client.query(
      `insert into users (id, email, full_name, password_hash, role, email_verified, is_active,
         failed_login_count, locked_until, created_at, updated_at)
       select u.id,
              case when u.n > $1::int then $2::text || '-heavy@example.test'
                   else $2::text || '-user-' || lpad(u.n::text, 5, '0') || '@example.test' end,
              ($4::text[])[1 + u.n % cardinality($4::text[])] || ' '
                || ($5::text[])[1 + (u.n / 7) % cardinality($5::text[])],
              $3::text, 'user', true, true, 0, null, $6::timestamptz - random() * interval '400 days',
              $6::timestamptz - random() * interval '30 days'
         from seed_users u order by u.n`,
      [users, prefix, passwordHash, FIRST_NAMES, LAST_NAMES, yearAgo],
    );
    // Every user's Inbox, as registration creates it; their tasks go there.
    await client.query(
      `insert into projects (id, name, inbox_user_id, created_at, updated_at)
       select u.inbox, 'Inbox', u.id, a.created_at, a.created_at
         from seed_users u join users a on a.id = u.id order by u.n`,
    );
    await client.query(
      `insert into project_members (project_id, user_id, role, joined_at)
       select u.inbox, u.id, 'owner', a.created_at
         from seed_users u join users a on a.id = u.id order by u.n`,
    );
  });
  const heavyUserId = heavy
    ? (await client.query<{ id: string }>('select id from seed_users where n > $1::int', [users]))
        .rows[0]?.id
    : undefined;
  log(`users: ${totalUsers}`);

  await client.query(`create temporary table seed_categories (
      user_n int not null, ord int not null, id uuid not null, primary key (user_n, ord)
    ) on commit drop`);
  const categories = await timed('categories', async () => {
    await client.query(
      `insert into seed_categories (user_n, ord, id)
       select u.n, o, gen_random_uuid() from seed_users u cross join generate_series(1, u.categories) o`,
    );
    return count(
      `with inserted as (
         insert into categories (id, user_id, name, name_key, color, created_at)
         select c.id, u.id, name, lower(name),
                case when random() < 0.8 then '#' || substr(md5(random()::text), 1, 6) end,
                $2::timestamptz + random() * interval '30 days'
           from seed_categories c join seed_users u on u.n = c.user_n
          cross join lateral (
            select ($1::text[])[1 + (c.ord + u.n) % cardinality($1::text[])] as name
          ) picked
         returning 1)
       select count(*)::int as n from inserted`,
      [CATEGORY_NAMES, yearAgo],
    );
  });
  log(`categories: ${categories}`);

  // Tasks, in time slices over the past year; within a slice, in `created_at` order.
  const totalTasks = users * tasksPerUser + heavyUserTasks;
  const slices = Math.max(1, Math.min(52, Math.ceil(totalTasks / (options.sliceRows ?? 50_000))));
  const tasks = await timed('tasks', async () => {
    let written = 0;
    for (let slice = 0; slice < slices; slice++) {
      const started = performance.now();
      written += await count(
        `with base as materialized (
           select u.n as owner_n, u.id as owner_id, u.inbox as project_id,
                  $1::timestamptz + ($3::int + random()) / $4::int * ($2::timestamptz - $1::timestamptz) as created_at,
                  3 + floor(random() * 5)::int as title_n, 5 + floor(random() * 26)::int as description_n
             from seed_users u
            cross join generate_series(u.tasks * $3::int / $4::int + 1, u.tasks * ($3::int + 1) / $4::int) g
         ), drawn as materialized (
           select b.*,
                  extract(epoch from b.created_at - $1::timestamptz) / extract(epoch from $2::timestamptz - $1::timestamptz) as age,
                  random() as r_status, random() as r_priority, random() as r_due, random() as r_remind,
                  random() as r_assign, random() as r_deleted, random() as r_desc, random() as r_name,
                  ((b.owner_n + floor(random() * ($5::int - 1))::int) % $5::int) + 1 as assignee_n,
                  random() as r_updated, random() as r_version,
                  ${words(6, 3, 7, 'b.title_n')} as title_words,
                  ${words(6, 5, 30, 'b.description_n')} as description_words,
                  ${rareName(7)} as name
             from base b
         ), shaped as (
           select d.owner_id, d.project_id, d.created_at, d.title_words, d.description_words, d.name, d.r_desc,
                  d.r_name, d.r_deleted, d.r_version,
                  case when d.r_assign < 0.10 and $5::int > 1 then a.id end as assignee_id,
                  -- Older tasks are more often done.
                  case when d.r_status < 0.10 + 0.55 * (1 - d.age) then 'completed'
                       when d.r_status < 0.35 + 0.45 * (1 - d.age) then 'in_progress'
                       else 'pending' end as status,
                  case when d.r_priority < 0.25 then 'low' when d.r_priority < 0.65 then 'medium'
                       when d.r_priority < 0.90 then 'high' else 'urgent' end as priority,
                  case when d.r_due < 0.70
                       then d.created_at + (d.r_due / 0.70 * 80 - 5) * interval '1 day' end as due_date,
                  d.r_remind,
                  d.created_at + power(d.r_updated, 3) * ($2::timestamptz - d.created_at) as updated_at
             from drawn d left join seed_users a on a.n = d.assignee_n
         ), inserted as (
           insert into tasks (id, project_id, owner_id, assignee_id, title, description, status, priority,
             due_date, remind_at, created_at, updated_at, completed_at, deleted_at, version)
           select ${uuid7('s.created_at')}, s.project_id, s.owner_id, s.assignee_id,
                  initcap(left(s.title_words, 1)) || substr(s.title_words, 2)
                    || case when s.r_name < 0.25 then ' ' || initcap(s.name) else '' end,
                  case when s.r_desc < 0.60 then
                    initcap(left(s.description_words, 1)) || substr(s.description_words, 2)
                      || case when s.r_name >= 0.25 and s.r_name < 0.35 then ' ' || s.name else '' end
                      || '.'
                  end,
                  s.status, s.priority, s.due_date,
                  case when s.due_date is not null and s.r_remind < 0.30
                       then s.due_date - (1 + s.r_remind * 160) * interval '1 hour' end,
                  s.created_at, s.updated_at,
                  case when s.status = 'completed' then s.updated_at end,
                  case when s.r_deleted < 0.03 then s.updated_at end,
                  1 + floor(power(s.r_version, 2) * 6)::int
             from shaped s
            order by s.created_at
           returning 1)
         select count(*)::int as n from inserted`,
        [yearAgo, now, slice, slices, totalUsers, WORDS, SYLLABLES],
      );
      log(
        `  tasks slice ${slice + 1}/${slices}: ${written} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
    }
    return written;
  });
  log(`tasks: ${tasks}`);

  const shared = await seedSharedProjects(client, options, yearAgo, now, timed, log);

  // Categories: 60% of tasks have one, a quarter of those a second one (always the owner's).
  const taskCategories = await timed('task_categories', () =>
    count(
      `with picked as (
         select t.id, u.n, u.categories, abs(hashtext(t.id::text)) as h
           from tasks t join seed_users u on u.id = t.owner_id
       ), inserted as (
         insert into task_categories (task_id, category_id)
         select p.id, c.id
           from picked p
          cross join generate_series(0, case when p.h % 100 < 15 then 1 else 0 end) k
           join seed_categories c
             on c.user_n = p.n and c.ord = 1 + ((p.h / 100) + k) % p.categories
          where p.h % 100 < 60
         returning 1)
       select count(*)::int as n from inserted`,
    ),
  );
  log(`task_categories: ${taskCategories}`);

  // Comments on 15% of tasks (1–3 each), by the owner or the assignee.
  const comments = await timed('comments', () =>
    count(
      `with picked as (
         select t.id, t.owner_id, t.assignee_id, t.created_at, abs(hashtext(t.id::text)) as h
           from tasks t join seed_users u on u.id = t.owner_id
       ), counted as materialized (
         select p.*, p.created_at + power(random(), 2) * ($1::timestamptz - p.created_at) as at,
                4 + floor(random() * 20)::int as body_n
           from picked p cross join generate_series(1, 1 + (p.h / 100) % 3) k
          where p.h % 100 < 15
       ), drawn as materialized (
         select c.*, ${words(2, 4, 23, 'c.body_n')} as body from counted c
       ), inserted as (
         insert into comments (id, task_id, author_id, body, created_at, updated_at)
         select ${uuid7('d.at')}, d.id,
                case when d.assignee_id is not null and random() < 0.5 then d.assignee_id else d.owner_id end,
                initcap(left(d.body, 1)) || substr(d.body, 2) || '.', d.at, d.at
           from drawn d order by d.at
         returning 1)
       select count(*)::int as n from inserted`,
      [now, WORDS],
    ),
  );
  log(`comments: ${comments}`);

  // Attachment rows on 5% of tasks (1–2 each); storage keys are random, no blob exists.
  const attachments = await timed('attachments', () =>
    count(
      `with picked as (
         select t.id, t.owner_id, t.created_at, abs(hashtext(t.id::text)) as h
           from tasks t join seed_users u on u.id = t.owner_id
          where abs(hashtext(t.id::text)) % 100 >= 95
       ), inserted as (
         insert into attachments (id, task_id, filename, content_type, size_bytes, sha256,
           storage_key, uploaded_by, created_at)
         select ${uuid7('x.at')}, x.id, x.word || '-' || k || x.ext, x.type, x.size,
                md5(random()::text) || md5(random()::text), gen_random_uuid()::text, x.owner_id, x.at
           from picked p cross join generate_series(1, 1 + (p.h / 100) % 2) k
          cross join lateral (
            select p.id, p.owner_id,
                   p.created_at + random() * ($1::timestamptz - p.created_at) as at,
                   ($2::text[])[1 + (p.h / 7) % cardinality($2::text[])] as word,
                   (array['.pdf', '.png', '.jpg', '.zip', '.txt'])[1 + (p.h / 3 + k) % 5] as ext,
                   (array['application/pdf', 'image/png', 'image/jpeg', 'application/zip', 'text/plain'])[1 + (p.h / 3 + k) % 5] as type,
                   (1000 + power(random(), 3) * 20000000)::bigint as size
          ) x
         returning 1)
       select count(*)::int as n from inserted`,
      [now, WORDS],
    ),
  );
  log(`attachments: ${attachments}`);

  return {
    users: totalUsers,
    heavyUserId,
    categories,
    tasks: tasks + shared.tasks,
    sharedProjects: shared.projects,
    projectTasks: shared.tasks,
    taskCategories,
    comments,
    attachments,
    seconds: {},
  };
}

/**
 * Shared projects of regular users: project `n` has the users `(n - 1) * members + k` (wrapping
 * around), the first its owner, the others viewers, editors and admins; its tasks are created by
 * random members, 30% assigned to a member, with the same spread of fields as personal tasks,
 * written in time slices in `created_at` order.
 */
async function seedSharedProjects(
  client: PoolClient,
  options: SeedOptions,
  yearAgo: Date,
  now: Date,
  timed: Timed,
  log: (line: string) => void,
): Promise<{ projects: number; tasks: number }> {
  const projects = options.sharedProjects ?? 0;
  const members = Math.min(options.membersPerProject ?? 20, options.users);
  const perProject = options.tasksPerProject ?? 1000;
  if (projects === 0 || members === 0) return { projects: 0, tasks: 0 };
  await client.query(`create temporary table seed_projects (
      n int primary key, id uuid not null unique, created_at timestamptz not null
    ) on commit drop`);
  await client.query(`create temporary table seed_members (
      project_n int not null, k int not null, user_id uuid not null, primary key (project_n, k)
    ) on commit drop`);
  await timed('shared projects', async () => {
    await client.query(
      `insert into seed_projects (n, id, created_at)
       select n, ${uuid7('at')}, at
         from generate_series(1, $1::int) n,
              lateral (select $2::timestamptz - random() * interval '60 days' as at) t`,
      [projects, yearAgo],
    );
    await client.query(
      `insert into projects (id, name, description, color, created_at, updated_at)
       select p.id, 'Project ' || p.n, case when p.n % 3 = 0 then 'Shared work' end,
              case when p.n % 2 = 0 then '#' || substr(md5(p.n::text), 1, 6) end,
              p.created_at, p.created_at
         from seed_projects p order by p.n`,
    );
    await client.query(
      `insert into seed_members (project_n, k, user_id)
       select p.n, k, u.id
         from seed_projects p cross join generate_series(0, $1::int - 1) k
         join seed_users u on u.n = 1 + ((p.n - 1) * $1::int + k) % $2::int`,
      [members, options.users],
    );
    await client.query(
      `insert into project_members (project_id, user_id, role, joined_at)
       select p.id, m.user_id,
              case when m.k = 0 then 'owner' when m.k % 5 = 1 then 'admin'
                   when m.k % 5 in (2, 3) then 'editor' else 'viewer' end,
              p.created_at + m.k * interval '1 hour'
         from seed_members m join seed_projects p on p.n = m.project_n
        order by p.n, m.k`,
    );
  });
  log(`shared projects: ${projects} × ${members} members`);

  const slices = Math.max(1, Math.min(52, Math.ceil((projects * perProject) / 50_000)));
  const tasks = await timed('shared project tasks', async () => {
    let written = 0;
    for (let slice = 0; slice < slices; slice++) {
      const result = await client.query<{ n: number }>(
        `with drawn as materialized (
           select p.id as project_id, p.n as project_n,
                  $1::timestamptz + ($3::int + random()) / $4::int * ($2::timestamptz - $1::timestamptz) as created_at,
                  floor(random() * $5::int)::int as owner_k, floor(random() * $5::int)::int as assignee_k,
                  random() as r_status, random() as r_priority, random() as r_due, random() as r_assign,
                  random() as r_deleted, random() as r_desc, random() as r_updated,
                  3 + floor(random() * 5)::int as title_n, 5 + floor(random() * 26)::int as description_n
             from seed_projects p
            cross join generate_series($6::int * $3::int / $4::int + 1, $6::int * ($3::int + 1) / $4::int) g
         ), shaped as materialized (
           select d.*, ${words(7, 3, 7, 'd.title_n')} as title_words,
                  ${words(7, 5, 30, 'd.description_n')} as description_words,
                  case when d.r_status < 0.35 then 'completed' when d.r_status < 0.6 then 'in_progress'
                       else 'pending' end as status,
                  case when d.r_priority < 0.25 then 'low' when d.r_priority < 0.65 then 'medium'
                       when d.r_priority < 0.90 then 'high' else 'urgent' end as priority,
                  case when d.r_due < 0.70
                       then d.created_at + (d.r_due / 0.70 * 80 - 5) * interval '1 day' end as due_date,
                  d.created_at + power(d.r_updated, 3) * ($2::timestamptz - d.created_at) as updated_at
             from drawn d
         ), inserted as (
           insert into tasks (id, project_id, owner_id, assignee_id, title, description, status, priority,
             due_date, remind_at, created_at, updated_at, completed_at, deleted_at, version)
           select ${uuid7('s.created_at')}, s.project_id, o.user_id,
                  case when s.r_assign < 0.30 then a.user_id end,
                  initcap(left(s.title_words, 1)) || substr(s.title_words, 2),
                  case when s.r_desc < 0.60 then
                    initcap(left(s.description_words, 1)) || substr(s.description_words, 2) || '.' end,
                  s.status, s.priority, s.due_date, null, s.created_at, s.updated_at,
                  case when s.status = 'completed' then s.updated_at end,
                  case when s.r_deleted < 0.03 then s.updated_at end,
                  1
             from shaped s
             join seed_members o on o.project_n = s.project_n and o.k = s.owner_k
             join seed_members a on a.project_n = s.project_n and a.k = s.assignee_k
            order by s.created_at
           returning 1)
         select count(*)::int as n from inserted`,
        [yearAgo, now, slice, slices, members, perProject, WORDS],
      );
      written += result.rows[0]?.n ?? 0;
      log(`  shared project tasks slice ${slice + 1}/${slices}: ${written}`);
    }
    return written;
  });
  log(`shared project tasks: ${tasks}`);
  return { projects, tasks };
}

/** Truncates every seeded table (and what references them: sessions, tokens, the outbox). */
export async function resetSeededTables(pool: Pool): Promise<void> {
  await pool.query(`truncate ${[...SEEDED_TABLES, 'outbox_events'].join(', ')} cascade`);
}

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`--${name} must be a whole number ≥ 0`);
  return n;
}

/** The pg pool under the ORM (MikroORM 7 runs on node-postgres). */
export async function nativePool(orm: Orm): Promise<Pool> {
  return orm.em.getConnection().getNativeClient();
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        users: { type: 'string' },
        'tasks-per-user': { type: 'string' },
        'heavy-user-tasks': { type: 'string' },
        'shared-projects': { type: 'string' },
        'members-per-project': { type: 'string' },
        'tasks-per-project': { type: 'string' },
        'database-url': { type: 'string' },
        reset: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const users = positiveInt('users', values.users, 100);
  const tasksPerUser = positiveInt('tasks-per-user', values['tasks-per-user'], 100);
  const heavyUserTasks = positiveInt('heavy-user-tasks', values['heavy-user-tasks'], 0);
  const sharedProjects = positiveInt('shared-projects', values['shared-projects'], 0);
  const membersPerProject = positiveInt('members-per-project', values['members-per-project'], 20);
  const tasksPerProject = positiveInt('tasks-per-project', values['tasks-per-project'], 1000);
  if (users + (heavyUserTasks > 0 ? 1 : 0) === 0) throw new CliError('nothing to seed: --users 0');
  const config = loadConfig(
    values['database-url'] ? { ...process.env, DATABASE_URL: values['database-url'] } : process.env,
  );
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const started = performance.now();

  const orm = await initOrm({ databaseUrl: config.databaseUrl, entities, poolMax: 2 });
  try {
    const applied = await migrate(orm);
    if (applied.length > 0) log(`migrated: ${applied.join(', ')}`);
    const pool = await nativePool(orm);
    const { rows } = await pool.query<{ tasks: boolean; users: boolean }>(
      `select exists (select 1 from tasks) as tasks,
              exists (select 1 from users where email like 'seed-%@example.test') as users`,
    );
    const existing = rows[0];
    if (existing?.tasks || existing?.users) {
      if (!values.reset) {
        throw new CliError(
          'the database already holds tasks or seeded users; pass --reset to truncate ' +
            `${SEEDED_TABLES.join(', ')} (and what references them) first`,
        );
      }
      log(`reset: truncating ${SEEDED_TABLES.join(', ')}, outbox_events (cascade)`);
      await resetSeededTables(pool);
    }
    const url = new URL(config.databaseUrl);
    url.password = '';
    log(
      `seeding ${url.host}${url.pathname}: ${users} users × ${tasksPerUser} tasks` +
        (heavyUserTasks > 0 ? ` + one heavy user with ${heavyUserTasks} tasks` : '') +
        (sharedProjects > 0
          ? ` + ${sharedProjects} shared projects × ${membersPerProject} members × ${tasksPerProject} tasks`
          : ''),
    );
    const report = await seedDatabase(pool, {
      users,
      tasksPerUser,
      heavyUserTasks,
      sharedProjects,
      membersPerProject,
      tasksPerProject,
      rebuildIndexes: true,
      bcryptCost: config.bcryptCost,
      log,
    });
    const total = (performance.now() - started) / 1000;
    log('');
    log(`created: ${report.users} users, ${report.categories} categories, ${report.tasks} tasks,`);
    log(
      `         ${report.taskCategories} task categories, ${report.comments} comments, ${report.attachments} attachments`,
    );
    if (report.heavyUserId) log(`heavy user: ${report.heavyUserId} (seed-heavy@example.test)`);
    log(`every seeded user's password: "${SEED_PASSWORD}"`);
    log(
      `timings: ${Object.entries(report.seconds)
        .map(([phase, s]) => `${phase} ${s.toFixed(1)} s`)
        .join(', ')}`,
    );
    log(`total: ${total.toFixed(1)} s`);
  } finally {
    await orm.close();
  }
}

if (import.meta.main) runCli(main);
