/**
 * The task list as the repository ran it before shared projects (owned or assigned, by the owner
 * and assignee indexes), kept as the baseline of `npm run bench -- projects`. A copy of
 * task-list-query.ts as it was then; only the bench imports it.
 */
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { TaskListQuery } from '../src/modules/tasks/application/ports.ts';
import {
  parseSort,
  type TaskSortField,
  type TaskSortValue,
} from '../src/modules/tasks/application/support/task-sort.ts';
import { TASK_PRIORITIES, type TaskPriority } from '../src/modules/tasks/domain/task-fields.ts';
import { taskColumns } from '../src/modules/tasks/adapters/persistence/task-rows.ts';
import { StatementCache } from '../src/shared/infra/typed-statements.ts';
import type { TasksDb } from '../src/modules/tasks/adapters/persistence/tasks.entities.ts';

type Db = TasksDb & { t: TasksDb['tasks'] };
type TaskWhere = ExpressionBuilder<Db, 't'>;

/** The indexed column behind each sort; the due date has one per direction (NULLs last both ways). */
function sortColumn(field: TaskSortField, descending: boolean) {
  switch (field) {
    case 'created_at':
      return 't.created_at' as const;
    case 'updated_at':
      return 't.updated_at' as const;
    case 'due_date':
      return descending ? ('t.due_desc' as const) : ('t.due_asc' as const);
    case 'priority':
      return 't.priority_rank' as const;
    case 'title':
      return 't.title' as const;
  }
}

/** A sort value as stored in the sort column. */
function columnValue(field: TaskSortField, descending: boolean, value: TaskSortValue) {
  if (field === 'priority') return TASK_PRIORITIES.indexOf(value as TaskPriority);
  if (field === 'due_date' && value === null) return descending ? '-infinity' : 'infinity';
  return value;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The values a list statement binds; which of them are present decides its shape. */
interface ListValues {
  userId: string;
  status?: string;
  priority?: string;
  dueFrom?: Date;
  dueTo?: Date;
  assigneeId?: string;
  categoryId?: string;
  /** The LIKE pattern for `q`. */
  pattern?: string;
  /** The keyset position, as stored in the sort column. */
  afterValue?: unknown;
  afterId?: string;
}

function valuesOf(query: TaskListQuery): ListValues {
  const values: ListValues = { userId: query.userId };
  if (query.status) values.status = query.status;
  if (query.priority) values.priority = query.priority;
  if (query.dueFrom) values.dueFrom = query.dueFrom;
  if (query.dueTo) values.dueTo = query.dueTo;
  if (query.assigneeId) values.assigneeId = query.assigneeId;
  if (query.categoryId) values.categoryId = query.categoryId;
  // `%` and `_` in q are literal (`\` is LIKE's default escape character).
  if (query.q) values.pattern = `%${escapeLike(query.q.toLowerCase())}%`;
  if (query.window.type === 'after') {
    const { field, descending } = parseSort(query.sort);
    values.afterValue = columnValue(field, descending, query.window.position.value);
    values.afterId = query.window.position.id;
  }
  return values;
}

/** Conditions every side of the query shares: liveness and the filters. */
function filters(eb: TaskWhere, v: ListValues) {
  const clauses = [eb('t.deleted_at', 'is', null)];
  if (v.status !== undefined) clauses.push(eb('t.status', '=', v.status));
  if (v.priority !== undefined) clauses.push(eb('t.priority', '=', v.priority));
  if (v.dueFrom !== undefined) clauses.push(eb('t.due_date', '>=', v.dueFrom));
  if (v.dueTo !== undefined) clauses.push(eb('t.due_date', '<=', v.dueTo));
  if (v.assigneeId !== undefined) clauses.push(eb('t.assignee_id', '=', v.assigneeId));
  if (v.categoryId !== undefined) {
    const categoryId = v.categoryId;
    clauses.push(
      eb.exists(
        eb
          .selectFrom('task_categories as tc')
          .select(eb.lit(1).as('one'))
          .whereRef('tc.task_id', '=', 't.id')
          .where('tc.category_id', '=', categoryId),
      ),
    );
  }
  // Served by the trigram index on search_text.
  if (v.pattern !== undefined) clauses.push(eb('t.search_text', 'like', v.pattern));
  return clauses;
}

/** Who sees the task: each side is one indexed condition, so each is its own index range scan. */
function sides(
  query: TaskListQuery,
  v: ListValues,
): Array<(eb: TaskWhere) => ReturnType<TaskWhere['and']>> {
  const owned = (eb: TaskWhere) => eb.and([eb('t.owner_id', '=', v.userId)]);
  // Assigned tasks the user also owns are already on the owned side.
  const assigned = (eb: TaskWhere) =>
    eb.and([eb('t.assignee_id', '=', v.userId), eb('t.owner_id', '<>', v.userId)]);
  if (query.scope === 'owned') return [owned];
  if (query.scope === 'assigned') {
    return [(eb: TaskWhere) => eb.and([eb('t.assignee_id', '=', v.userId)])];
  }
  return [owned, assigned];
}

/**
 * One page of tasks, in order, with every column of a task read. The page's ids come first: each
 * side reads at most `offset + limit + 1` rows from its index in sort order (after the keyset
 * position, if any), and the sides are merged, so with a cursor the cost does not grow with the
 * depth of the page. Limits and offsets are literals, as the index range they bound is planned
 * with them.
 */
export function pageQuery(
  db: Kysely<TasksDb>,
  query: TaskListQuery,
  v: ListValues = valuesOf(query),
) {
  const { field, descending } = parseSort(query.sort);
  const column = sortColumn(field, descending);
  const direction = descending ? 'desc' : 'asc';
  const offset = query.window.type === 'offset' ? query.window.offset : 0;
  const perSide = offset + query.limit + 1;
  const branches = sides(query, v).map((side) =>
    db
      .selectFrom(
        db
          .selectFrom('tasks as t')
          .select(['t.id', `${column} as sort_key`])
          .where((eb) => {
            const clauses = [side(eb), ...filters(eb, v)];
            if (v.afterId !== undefined) {
              clauses.push(
                eb(
                  eb.refTuple(column, 't.id'),
                  descending ? '<' : '>',
                  eb.tuple(v.afterValue as never, v.afterId),
                ),
              );
            }
            return eb.and(clauses);
          })
          .orderBy(column, direction)
          .orderBy('t.id', direction)
          .limit(sql.lit(perSide))
          .as('side'),
      )
      .select(['side.id', 'side.sort_key']),
  );
  const merged = branches.reduce((all, branch) => all.unionAll(branch));
  return db
    .with('page', (w) =>
      w
        .selectFrom(merged.as('merged'))
        .select(['merged.id', 'merged.sort_key'])
        .orderBy('merged.sort_key', direction)
        .orderBy('merged.id', direction)
        .limit(sql.lit(query.limit + 1))
        .offset(sql.lit(offset)),
    )
    .selectFrom('page as p')
    .innerJoin('tasks as t', 't.id', 'p.id')
    .select(taskColumns)
    .orderBy('p.sort_key', direction)
    .orderBy('p.id', direction);
}

/**
 * Every match, for `total`: one count per side, added. The sides are disjoint, and each is an
 * index range of its own, where `owner OR assignee` made the planner combine bitmaps over every
 * row of the user (about 6x slower for a user with 200,000 tasks).
 */
export function countQuery(
  db: Kysely<TasksDb>,
  query: TaskListQuery,
  v: ListValues = valuesOf(query),
) {
  const parts = sides(query, v).map((side) =>
    db
      .selectFrom('tasks as t')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where((eb) => eb.and([side(eb), ...filters(eb, v)]))
      .$asScalar(),
  );
  return db.selectNoFrom((eb) =>
    eb
      .cast<number>(parts.length === 1 ? parts[0]! : eb(parts[0]!, '+', parts[1]!), 'integer')
      .as('total'),
  );
}

/**
 * The page and count statements of `query`, compiled once per shape (scope, sort, window, limit,
 * offset and which filters are set) and then only bound: building and compiling a page query
 * costs about as much CPU as PostgreSQL takes to run it.
 */
export function listStatements(db: Kysely<TasksDb>, query: TaskListQuery) {
  const values = valuesOf(query);
  const shape = JSON.stringify([
    query.scope,
    query.sort,
    query.limit,
    query.window.type === 'offset' ? query.window.offset : 'after',
    Object.keys(values),
  ]);
  return {
    page: pageStatements.bind(shape, values, (marked) => pageQuery(db, query, marked)),
    count: countStatements.bind(shape, values, (marked) => countQuery(db, query, marked)),
  };
}

const pageStatements = new StatementCache<ListValues>();
const countStatements = new StatementCache<ListValues>();
