import { Category } from '../../domain/category.ts';
import type { TaskPriority, TaskStatus } from '../../domain/task-fields.ts';
import { Task } from '../../domain/task.ts';
import type { TaskView } from '../../application/ports.ts';

/** The columns every task read selects, with its categories and counts in the same row. */
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

export interface TaskRow {
  id: string;
  owner_id: string;
  assignee_id: string | null;
  title: string;
  description: string | null;
  status: string;
  priority: string;
  due_date: Date | string | null;
  remind_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
  completed_at: Date | string | null;
  deleted_at: Date | string | null;
  version: number;
  categories: Array<{
    id: string;
    user_id: string;
    name: string;
    color: string | null;
    created_at: string;
  }>;
  comment_count: number;
  attachment_count: number;
}

const date = (value: Date | string) => (value instanceof Date ? value : new Date(value));
const maybeDate = (value: Date | string | null) => (value === null ? null : date(value));

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
    commentCount: row.comment_count,
    attachmentCount: row.attachment_count,
  };
}
