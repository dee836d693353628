/**
 * The tasks module's statements as they were before the adapters were typed from the entities
 * (hand-written SQL, `?` placeholders): the baseline of `npm run bench -- persistence`. Not used
 * by the service.
 */
import type { TaskListQuery } from '../src/modules/tasks/application/ports.ts';
import {
  parseSort,
  type TaskSortField,
  type TaskSortValue,
} from '../src/modules/tasks/application/support/task-sort.ts';
import { TASK_PRIORITIES, type TaskPriority } from '../src/modules/tasks/domain/task-fields.ts';

export interface Sql {
  text: string;
  params: unknown[];
}

export const TASK_COLUMNS = `
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
  (select count(*) from attachments a where a.task_id = t.id)::int as attachment_count`;

/** The indexed column behind each sort; the due date has one per direction (NULLs last both ways). */
function sortColumn(field: TaskSortField, descending: boolean): string {
  switch (field) {
    case 'created_at':
      return 'created_at';
    case 'updated_at':
      return 'updated_at';
    case 'due_date':
      return descending ? 'due_desc' : 'due_asc';
    case 'priority':
      return 'priority_rank';
    case 'title':
      return 'title';
  }
}

/** A sort value as stored in the sort column. */
function columnValue(field: TaskSortField, descending: boolean, value: TaskSortValue): unknown {
  if (field === 'priority') return TASK_PRIORITIES.indexOf(value as TaskPriority);
  if (field === 'due_date' && value === null) return descending ? '-infinity' : 'infinity';
  return value;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Conditions every side of the query shares: liveness and the filters. */
function filters(query: TaskListQuery): Sql {
  const clauses = ['t.deleted_at is null'];
  const params: unknown[] = [];
  const add = (clause: string, ...values: unknown[]) => {
    clauses.push(clause);
    params.push(...values);
  };
  if (query.status) add('t.status = ?', query.status);
  if (query.priority) add('t.priority = ?', query.priority);
  if (query.dueFrom) add('t.due_date >= ?', query.dueFrom);
  if (query.dueTo) add('t.due_date <= ?', query.dueTo);
  if (query.assigneeId) add('t.assignee_id = ?', query.assigneeId);
  if (query.categoryId) {
    add(
      'exists (select 1 from task_categories tc where tc.task_id = t.id and tc.category_id = ?)',
      query.categoryId,
    );
  }
  // Served by the trigram index on search_text; `%` and `_` in q are literal.
  if (query.q) add(`t.search_text like ? escape '\\'`, `%${escapeLike(query.q.toLowerCase())}%`);
  return { text: clauses.join(' and '), params };
}

/** Who sees the task: each side is one indexed condition, so each is its own index range scan. */
function sides(query: TaskListQuery): Sql[] {
  const owned = { text: 't.owner_id = ?', params: [query.userId] };
  // Assigned tasks the user also owns are already on the owned side.
  const assigned = {
    text: 't.assignee_id = ? and t.owner_id <> ?',
    params: [query.userId, query.userId],
  };
  if (query.scope === 'owned') return [owned];
  if (query.scope === 'assigned') return [{ text: 't.assignee_id = ?', params: [query.userId] }];
  return [owned, assigned];
}

/**
 * The ids of one page, in order. Each side reads at most `offset + limit + 1` rows from its index
 * in sort order (after the keyset position, if any), and the sides are merged: with a cursor the
 * cost does not grow with the depth of the page.
 */
export function pageIdsSql(
  query: TaskListQuery,
): Sql & { column: string; direction: 'asc' | 'desc' } {
  const { field, descending } = parseSort(query.sort);
  const column = sortColumn(field, descending);
  const direction = descending ? 'desc' : 'asc';
  const where = filters(query);
  const keyset: Sql = { text: '', params: [] };
  if (query.window.type === 'after') {
    const { position } = query.window;
    keyset.text = ` and (t.${column}, t.id) ${descending ? '<' : '>'} (?, ?)`;
    keyset.params = [columnValue(field, descending, position.value), position.id];
  }
  const offset = query.window.type === 'offset' ? query.window.offset : 0;
  const perSide = offset + query.limit + 1;
  const branches = sides(query).map((side) => ({
    text: `(select t.id, t.${column} as sort_key from tasks t
       where ${side.text} and ${where.text}${keyset.text}
       order by t.${column} ${direction}, t.id ${direction} limit ${perSide})`,
    params: [...side.params, ...where.params, ...keyset.params],
  }));
  return {
    text: `select id, sort_key from (${branches.map((b) => b.text).join(' union all ')}) page
       order by sort_key ${direction}, id ${direction} limit ${query.limit + 1} offset ${offset}`,
    params: branches.flatMap((b) => b.params),
    column,
    direction,
  };
}

/**
 * Every match, for `total`: one count per side, added. The sides are disjoint, and each is an
 * index range of its own, where `owner OR assignee` made the planner combine bitmaps over every
 * row of the user (about 6x slower for a user with 200,000 tasks).
 */
export function countSql(query: TaskListQuery): Sql {
  const where = filters(query);
  const parts = sides(query).map((side) => ({
    text: `(select count(*) from tasks t where ${side.text} and ${where.text})`,
    params: [...side.params, ...where.params],
  }));
  return {
    text: `select (${parts.map((part) => part.text).join(' + ')})::int as total`,
    params: parts.flatMap((part) => part.params),
  };
}

/** The page (with its rows) and the count that `list` ran. */
export function oldListStatements(query: TaskListQuery): { page: Sql; count: Sql } {
  const page = pageIdsSql(query);
  return {
    page: {
      text: `with page as (${page.text})
         select ${TASK_COLUMNS} from page p join tasks t on t.id = p.id
         order by p.sort_key ${page.direction}, p.id ${page.direction}`,
      params: page.params,
    },
    count: countSql(query),
  };
}

/** `findVisible` (run with em.execute). */
export const oldFindVisible = (taskId: string, userId: string): Sql => ({
  text: `select ${TASK_COLUMNS} from tasks t
        where t.id = ? and t.deleted_at is null and (t.owner_id = ? or t.assignee_id = ?)`,
  params: [taskId, userId, userId],
});

/** The write of `update` (run with em.execute, in a transaction). */
export const oldUpdate = (
  props: {
    id: string;
    assigneeId: string | null;
    title: string;
    description: string | null;
    status: string;
    priority: string;
    dueDate: Date | null;
    remindAt: Date | null;
    updatedAt: Date;
    completedAt: Date | null;
    deletedAt: Date | null;
    version: number;
  },
  expectedVersion: number,
): Sql => ({
  text: `update tasks set assignee_id = ?, title = ?, description = ?, status = ?, priority = ?,
           due_date = ?, remind_at = ?, updated_at = ?, completed_at = ?, deleted_at = ?, version = ?
         where id = ? and version = ? and deleted_at is null
         returning id`,
  params: [
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
});

/** The category replacement of `update` when the task keeps categories: two statements. */
export const oldReplaceCategories = (taskId: string, categoryIds: readonly string[]): Sql[] => {
  const ids = `{${categoryIds.join(',')}}`;
  if (categoryIds.length === 0) {
    return [{ text: 'delete from task_categories where task_id = ?', params: [taskId] }];
  }
  return [
    {
      text: 'delete from task_categories where task_id = ? and category_id <> all (?::uuid[])',
      params: [taskId, ids],
    },
    {
      text: `insert into task_categories (task_id, category_id)
     select ?, unnest(?::uuid[]) on conflict do nothing`,
      params: [taskId, ids],
    },
  ];
};
