import { sql, type ExpressionBuilder, type Selectable } from 'kysely';
import { jsonBuildObject } from 'kysely/helpers/postgres';
import { Category } from '../../domain/category.ts';
import type { TaskPriority, TaskStatus } from '../../domain/task-fields.ts';
import { Task } from '../../domain/task.ts';
import type { TaskView } from '../../application/ports.ts';
import type { TasksDb } from './tasks.entities.ts';

type TaskTable = { t: TasksDb['tasks'] };

/** What a task read selects of `tasks` itself: every stored column, none of the generated ones. */
const STORED_COLUMNS = [
  't.id',
  't.project_id',
  't.owner_id',
  't.assignee_id',
  't.title',
  't.description',
  't.status',
  't.priority',
  't.due_date',
  't.remind_at',
  't.created_at',
  't.updated_at',
  't.completed_at',
  't.deleted_at',
  't.version',
] as const satisfies ReadonlyArray<`t.${keyof Selectable<TasksDb['tasks']>}`>;

/**
 * The columns every task read selects (from `tasks as t`), with its categories (by name) and its
 * comment and attachment counts in the same row: one statement, no N+1.
 */
export function taskColumns(eb: ExpressionBuilder<TasksDb & TaskTable, 't'>) {
  return [
    ...STORED_COLUMNS,
    eb.fn
      .coalesce(
        eb
          .selectFrom('task_categories as tc')
          .innerJoin('categories as c', 'c.id', 'tc.category_id')
          .select((sub) =>
            sub.fn
              .jsonAgg(
                jsonBuildObject({
                  id: sub.ref('c.id'),
                  user_id: sub.ref('c.user_id'),
                  name: sub.ref('c.name'),
                  color: sub.ref('c.color'),
                  created_at: sub.ref('c.created_at'),
                }),
              )
              .orderBy('c.name_key')
              .as('list'),
          )
          .whereRef('tc.task_id', '=', 't.id')
          .$asScalar(),
        // Raw SQL: a JSON literal; Kysely's `lit` takes only numbers, booleans and null.
        sql<[]>`'[]'::json`,
      )
      .as('categories'),
    eb
      .selectFrom('comments as cm')
      .select((eb) => eb.cast<number>(eb.fn.countAll(), 'integer').as('n'))
      .whereRef('cm.task_id', '=', 't.id')
      .$asScalar()
      .as('comment_count'),
    eb
      .selectFrom('attachments as a')
      .select((eb) => eb.cast<number>(eb.fn.countAll(), 'integer').as('n'))
      .whereRef('a.task_id', '=', 't.id')
      .$asScalar()
      .as('attachment_count'),
  ] as const;
}

/** A task read as `rowsOf` returns it: timestamps as strings, categories parsed from JSON. */
export interface TaskRow {
  id: string;
  project_id: string;
  owner_id: string;
  assignee_id: string | null;
  title: string;
  description: string | null;
  status: string;
  priority: string;
  due_date: string | null;
  remind_at: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  deleted_at: string | null;
  version: number;
  categories: ReadonlyArray<{
    id: string;
    user_id: string;
    name: string;
    color: string | null;
    created_at: string;
  }>;
  comment_count: number | null;
  attachment_count: number | null;
}

const date = (value: string) => new Date(value);
const maybeDate = (value: string | null) => (value === null ? null : new Date(value));

export function toTaskView(row: TaskRow): TaskView {
  const categories = row.categories.map((c) =>
    Category.restore({
      id: c.id,
      userId: c.user_id,
      name: c.name,
      color: c.color,
      createdAt: date(c.created_at),
    }),
  );
  const task = Task.restore({
    id: row.id,
    projectId: row.project_id,
    ownerId: row.owner_id,
    assigneeId: row.assignee_id,
    title: row.title,
    description: row.description,
    status: row.status as TaskStatus,
    priority: row.priority as TaskPriority,
    dueDate: maybeDate(row.due_date),
    remindAt: maybeDate(row.remind_at),
    categoryIds: categories.map((c) => c.id),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
    completedAt: maybeDate(row.completed_at),
    deletedAt: maybeDate(row.deleted_at),
    version: row.version,
  });
  return {
    task,
    categories,
    commentCount: row.comment_count ?? 0,
    attachmentCount: row.attachment_count ?? 0,
  };
}
