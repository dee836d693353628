import type { EntityManager } from '@mikro-orm/postgresql';
import { createHash } from 'node:crypto';
import type { QueryConfig } from 'pg';
import type {
  TaskListQuery,
  TaskRepository,
  TaskView,
  TaskWriteOutcome,
} from '../../application/ports.ts';
import type { TaskParties } from '../../domain/task-access.ts';
import type { Task } from '../../domain/task.ts';
import { countSql, pageIdsSql, type Sql } from './task-list-query.ts';
import { TASK_COLUMNS, toTaskView, type TaskRow } from './task-rows.ts';

/** Tasks in PostgreSQL. Reads are single statements with categories and counts joined in (no N+1). */
export class MikroOrmTaskRepository implements TaskRepository {
  private readonly em: EntityManager;

  constructor(em: EntityManager) {
    this.em = em;
  }

  async findVisible(taskId: string, userId: string): Promise<TaskView | undefined> {
    const rows = await this.em.execute<TaskRow[]>(
      `select ${TASK_COLUMNS} from tasks t
        where t.id = ? and t.deleted_at is null and (t.owner_id = ? or t.assignee_id = ?)`,
      [taskId, userId, userId],
    );
    return rows[0] ? toTaskView(rows[0]) : undefined;
  }

  async lockParties(taskId: string): Promise<TaskParties | undefined> {
    // FOR SHARE conflicts with the UPDATE of an assignment or a soft delete, so neither can commit
    // between this read and the end of the caller's transaction (readers are not held up).
    const rows = await this.em.execute<
      Array<{ owner_id: string; assignee_id: string | null; deleted_at: Date | string | null }>
    >('select owner_id, assignee_id, deleted_at from tasks where id = ? for share', [taskId]);
    const row = rows[0];
    if (!row) return undefined;
    return {
      ownerId: row.owner_id,
      assigneeId: row.assignee_id,
      deletedAt: row.deleted_at === null ? null : new Date(row.deleted_at),
    };
  }

  async insert(task: Task): Promise<void> {
    const props = task.toProps();
    await this.em.transactional(async (em) => {
      await em.execute(
        `insert into tasks (id, owner_id, assignee_id, title, description, status, priority, due_date,
           remind_at, created_at, updated_at, completed_at, deleted_at, version)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          props.id,
          props.ownerId,
          props.assigneeId,
          props.title,
          props.description,
          props.status,
          props.priority,
          props.dueDate,
          props.remindAt,
          props.createdAt,
          props.updatedAt,
          props.completedAt,
          props.deletedAt,
          props.version,
        ],
      );
      await replaceCategories(em, props.id, props.categoryIds);
    });
  }

  async update(task: Task, expectedVersion: number): Promise<TaskWriteOutcome> {
    const props = task.toProps();
    return this.em.transactional(async (em) => {
      const written = await em.execute<Array<{ id: string }>>(
        `update tasks set assignee_id = ?, title = ?, description = ?, status = ?, priority = ?,
           due_date = ?, remind_at = ?, updated_at = ?, completed_at = ?, deleted_at = ?, version = ?
         where id = ? and version = ? and deleted_at is null
         returning id`,
        [
          props.assigneeId,
          props.title,
          props.description,
          props.status,
          props.priority,
          props.dueDate,
          props.remindAt,
          props.updatedAt,
          props.completedAt,
          props.deletedAt,
          props.version,
          props.id,
          expectedVersion,
        ],
      );
      if (written.length === 0) {
        const current = await em.execute<Array<{ version: number; deleted_at: unknown }>>(
          'select version, deleted_at from tasks where id = ?',
          [props.id],
        );
        const row = current[0];
        if (!row || row.deleted_at !== null) return { type: 'gone' };
        return { type: 'conflict', currentVersion: row.version };
      }
      if (props.deletedAt === null) await replaceCategories(em, props.id, props.categoryIds);
      return { type: 'written' };
    });
  }

  async list(
    query: TaskListQuery,
  ): Promise<{ items: TaskView[]; total: number | undefined; hasMore: boolean }> {
    const page = pageIdsSql(query);
    const pool = await this.em.getConnection().getNativeClient();
    // Reads outside any transaction, so straight on the pool: bound parameters let PostgreSQL
    // plan each statement shape once per connection (em.execute inlines the values, and
    // planning cost about as much as running the page). Offsets are part of the text, so only
    // first pages and cursor pages, a bounded set of shapes, are kept prepared.
    const prepare = query.window.type === 'after' || query.window.offset === 0;
    const [rows, totals] = await Promise.all([
      pool.query<TaskRow>(
        bound(
          {
            text: `with page as (${page.text})
         select ${TASK_COLUMNS} from page p join tasks t on t.id = p.id
         order by p.sort_key ${page.direction}, p.id ${page.direction}`,
            params: page.params,
          },
          prepare,
        ),
      ),
      query.withTotal === false
        ? undefined
        : pool.query<{ total: number }>(bound(countSql(query), prepare)),
    ]);
    const hasMore = rows.rows.length > query.limit;
    return {
      items: rows.rows.slice(0, query.limit).map(toTaskView),
      total: totals ? (totals.rows[0]?.total ?? 0) : undefined,
      hasMore,
    };
  }
}

const statementNames = new Map<string, string>();
/** Distinct statement shapes kept prepared; beyond it, statements are still bound, not named. */
const MAX_PREPARED_SHAPES = 2_000;

/** `?` placeholders as `$n`, named (so each connection keeps it prepared) when `prepare`. */
function bound(sql: Sql, prepare: boolean): QueryConfig {
  let n = 0;
  const text = sql.text.replace(/\?/g, () => `$${++n}`);
  const values = sql.params;
  if (!prepare) return { text, values };
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_PREPARED_SHAPES) {
    name = `task_list_${createHash('sha256').update(text).digest('base64url').slice(0, 22)}`;
    statementNames.set(text, name);
  }
  return name === undefined ? { text, values } : { name, text, values };
}

/** Makes the task's categories exactly `categoryIds` (which the use case has checked are the owner's). */
async function replaceCategories(
  em: EntityManager,
  taskId: string,
  categoryIds: readonly string[],
): Promise<void> {
  if (categoryIds.length === 0) {
    await em.execute('delete from task_categories where task_id = ?', [taskId]);
    return;
  }
  // One array parameter (`?` binding would spread a JS array); the ids are UUIDs, checked upstream.
  const ids = `{${categoryIds.join(',')}}`;
  await em.execute(
    `delete from task_categories where task_id = ? and category_id <> all (?::uuid[])`,
    [taskId, ids],
  );
  await em.execute(
    `insert into task_categories (task_id, category_id)
     select ?, unnest(?::uuid[]) on conflict do nothing`,
    [taskId, ids],
  );
}
