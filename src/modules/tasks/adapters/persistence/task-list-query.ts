import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { TaskListQuery } from '../../application/ports.ts';
import {
  parseSort,
  type TaskSortField,
  type TaskSortValue,
} from '../../application/support/task-sort.ts';
import { TASK_PRIORITIES, type TaskPriority } from '../../domain/task-fields.ts';
import { taskColumns } from './task-rows.ts';
import { StatementCache } from '../../../../shared/infra/typed-statements.ts';
import type { TasksDb } from './tasks.entities.ts';

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
  projectId?: string;
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
  if (query.projectId) values.projectId = query.projectId;
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

/** Conditions on the task row every side shares: liveness, the filters, and `owned`'s creator. */
function filters(eb: TaskWhere, query: TaskListQuery, v: ListValues) {
  const clauses = [eb('t.deleted_at', 'is', null)];
  if (query.scope === 'owned') clauses.push(eb('t.owner_id', '=', v.userId));
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

/**
 * The tasks assigned to the user that the project side does not list, by the rule of
 * task-access.ts: an assignee sees a task without being a member only in another user's (live)
 * Inbox; in a shared project visibility is membership alone, so a removed assignee's task is not
 * listed (GET /tasks/{id} would answer 404). A member's tasks come from the project side, so the
 * two sides are disjoint. For `assigned`, the one side: every task assigned to the user that they
 * can see, in a live project they belong to or in another user's Inbox.
 */
function assignedClauses(eb: TaskWhere, query: TaskListQuery, v: ListValues) {
  const clauses = [
    eb('t.assignee_id', '=', v.userId),
    eb.exists(
      eb
        .selectFrom('projects as p')
        .select(eb.lit(1).as('one'))
        .whereRef('p.id', '=', 't.project_id')
        .where('p.deleted_at', 'is', null)
        .where((p) => {
          const inbox = p('p.inbox_user_id', 'is not', null);
          if (query.scope !== 'assigned') return inbox;
          return p.or([
            inbox,
            p.exists(
              p
                .selectFrom('project_members as m')
                .select(p.lit(1).as('one'))
                .whereRef('m.project_id', '=', 'p.id')
                .where('m.user_id', '=', v.userId),
            ),
          ]);
        }),
    ),
  ];
  if (query.scope !== 'assigned') {
    clauses.push(
      eb.not(
        eb.exists(
          eb
            .selectFrom('project_members as m')
            .select(eb.lit(1).as('one'))
            .whereRef('m.project_id', '=', 't.project_id')
            .where('m.user_id', '=', v.userId),
        ),
      ),
    );
  }
  if (v.projectId !== undefined) clauses.push(eb('t.project_id', '=', v.projectId));
  return clauses;
}

/**
 * `owned`, the tasks the user created (`filters`) in their projects: from the owner's index in
 * sort order, each checked against the ids of their live projects, read once into an array (in a
 * shared project few of the tasks are the user's, so a scan per project would read mostly
 * others').
 */
function ownedInMyProjects(db: Kysely<TasksDb>, eb: TaskWhere, v: ListValues) {
  const ids = myProjects(db, v).select('m.project_id');
  return [eb('t.project_id', '=', eb.fn<string>('any', [sql<string[]>`array(${ids})`]))];
}

/**
 * The live projects the user is a member of (one, with `project_id`), each row a starting point
 * for that project's own index range scan (`LATERAL`).
 */
function myProjects(db: Kysely<TasksDb>, v: ListValues) {
  let projects = db
    .selectFrom('project_members as m')
    .innerJoin('projects as p', 'p.id', 'm.project_id')
    .where('m.user_id', '=', v.userId)
    .where('p.deleted_at', 'is', null);
  if (v.projectId !== undefined) projects = projects.where('m.project_id', '=', v.projectId);
  return projects;
}

/**
 * One page of tasks, in order, with every column of a task read. The page's ids come first, from
 * two sides: each project the user is a member of (a lateral scan per project of its own index in
 * sort order; for `owned`, the owner's index instead) and the tasks assigned to them in other
 * users' Inboxes (the assignee's index). Each scan reads at most `offset + limit + 1` rows (after
 * the keyset position, if any) and the scans are merged, so with a cursor the cost does not grow
 * with the depth of the page, nor with the size of the projects. Limits and offsets are literals, as the
 * index range they bound is planned with them.
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
  const inOrder = (eb: TaskWhere, clauses: ReturnType<TaskWhere['and']>[]) => {
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
  };
  const assigned = db
    .selectFrom(
      db
        .selectFrom('tasks as t')
        .select(['t.id', `${column} as sort_key`])
        .where((eb) => inOrder(eb, [...assignedClauses(eb, query, v), ...filters(eb, query, v)]))
        .orderBy(column, direction)
        .orderBy('t.id', direction)
        .limit(sql.lit(perSide))
        .as('side'),
    )
    .select(['side.id', 'side.sort_key']);
  const owned = () =>
    db
      .selectFrom(
        db
          .selectFrom('tasks as t')
          .select(['t.id', `${column} as sort_key`])
          .where((eb) => inOrder(eb, [...ownedInMyProjects(db, eb, v), ...filters(eb, query, v)]))
          .orderBy(column, direction)
          .orderBy('t.id', direction)
          .limit(sql.lit(perSide))
          .as('side'),
      )
      .select(['side.id', 'side.sort_key'])
      .unionAll(assigned);
  const merged =
    query.scope === 'assigned'
      ? assigned
      : query.scope === 'owned'
        ? owned()
        : myProjects(db, v)
            .innerJoinLateral(
              (eb) =>
                eb
                  .selectFrom('tasks as t')
                  .select(['t.id', `${column} as sort_key`])
                  .where((inner) =>
                    inOrder(inner as unknown as TaskWhere, [
                      inner('t.project_id', '=', inner.ref('m.project_id')),
                      ...filters(inner as unknown as TaskWhere, query, v),
                    ]),
                  )
                  .orderBy(column, direction)
                  .orderBy('t.id', direction)
                  .limit(sql.lit(perSide))
                  .as('side'),
              (join) => join.onTrue(),
            )
            .select(['side.id', 'side.sort_key'])
            .unionAll(assigned);
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
 * Every match, for `total`: a count per project the user is a member of (each its own index
 * range, as the page reads them), added, plus the tasks assigned to them in other users' Inboxes.
 * The sides are disjoint; an `OR` of them would make the planner combine bitmaps over every row of the user.
 */
export function countQuery(
  db: Kysely<TasksDb>,
  query: TaskListQuery,
  v: ListValues = valuesOf(query),
) {
  const assigned = db
    .selectFrom('tasks as t')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where((eb) => eb.and([...assignedClauses(eb, query, v), ...filters(eb, query, v)]))
    .$asScalar();
  if (query.scope === 'assigned') {
    return db.selectNoFrom((eb) => eb.cast<number>(assigned, 'integer').as('total'));
  }
  const members =
    query.scope === 'owned'
      ? db
          .selectFrom('tasks as t')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where((eb) => eb.and([...ownedInMyProjects(db, eb, v), ...filters(eb, query, v)]))
          .$asScalar()
      : myProjects(db, v)
          .innerJoinLateral(
            (eb) =>
              eb
                .selectFrom('tasks as t')
                .select((inner) => inner.fn.countAll<number>().as('n'))
                .where((inner) =>
                  inner.and([
                    inner('t.project_id', '=', inner.ref('m.project_id')),
                    ...filters(inner as unknown as TaskWhere, query, v),
                  ]),
                )
                .as('c'),
            (join) => join.onTrue(),
          )
          .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('c.n'), eb.lit(0)).as('n'))
          .$asScalar();
  return db.selectNoFrom((eb) =>
    eb.cast<number>(eb(members, '+', assigned), 'integer').as('total'),
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
