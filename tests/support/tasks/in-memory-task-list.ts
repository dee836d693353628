import type { TaskListQuery } from '../../../src/modules/tasks/application/ports.ts';
import {
  parseSort,
  type TaskSort,
  type TaskSortValue,
} from '../../../src/modules/tasks/application/support/task-sort.ts';
import { TASK_PRIORITIES } from '../../../src/modules/tasks/domain/task-fields.ts';
import type { TaskProps } from '../../../src/modules/tasks/domain/task.ts';
import type { TasksTables } from './in-memory-tasks-db.ts';

/** What `TaskListQuery` means, in plain TypeScript: the reference the SQL adapter must match. */
export function queryTasks(
  tables: Pick<TasksTables, 'tasks' | 'projects' | 'members'>,
  query: TaskListQuery,
): { items: TaskProps[]; total: number | undefined; hasMore: boolean } {
  const matching = [...tables.tasks.values()].filter((task) => matches(tables, task, query));
  const compare = comparator(query.sort);
  matching.sort((a, b) => compare(keyOf(a, query.sort), keyOf(b, query.sort)));
  const { window } = query;
  const rest =
    window.type === 'offset'
      ? matching.slice(window.offset)
      : matching.filter((task) => {
          const after = {
            value: comparable(window.position.value, query.sort),
            id: window.position.id,
          };
          return compare(keyOf(task, query.sort), after) > 0;
        });
  return {
    items: rest.slice(0, query.limit),
    // As the repository: no count when the query spares it.
    total: query.withTotal === false ? undefined : matching.length,
    hasMore: rest.length > query.limit,
  };
}

/**
 * Visible as GET /tasks/{id} decides it (task-access.ts): in a live project, to its members, and
 * in an Inbox to the task's assignee as well. In a shared project an assignee who is not a member
 * does not see the task.
 */
function matches(
  tables: Pick<TasksTables, 'projects' | 'members'>,
  task: TaskProps,
  query: TaskListQuery,
): boolean {
  const { userId, scope } = query;
  const project = tables.projects.get(task.projectId);
  const live = project !== undefined && project.deletedAt === null;
  const member = tables.members.get(task.projectId)?.has(userId) ?? false;
  const assigned = task.assigneeId === userId;
  const inboxAssignee = assigned && project !== undefined && project.inboxUserId !== null;
  const visible = live && (member || inboxAssignee);
  const inScope =
    scope === 'owned'
      ? visible && task.ownerId === userId
      : scope === 'assigned'
        ? visible && assigned
        : visible;
  const due = task.dueDate?.getTime();
  const q = query.q?.toLowerCase();
  return (
    task.deletedAt === null &&
    inScope &&
    (!query.projectId || task.projectId === query.projectId) &&
    (!query.status || task.status === query.status) &&
    (!query.priority || task.priority === query.priority) &&
    (!query.dueFrom || (due !== undefined && due >= query.dueFrom.getTime())) &&
    (!query.dueTo || (due !== undefined && due <= query.dueTo.getTime())) &&
    (!query.categoryId || task.categoryIds.includes(query.categoryId)) &&
    (!query.assigneeId || task.assigneeId === query.assigneeId) &&
    (!q ||
      task.title.toLowerCase().includes(q) ||
      (task.description ?? '').toLowerCase().includes(q))
  );
}

interface Key {
  value: number | string | null;
  id: string;
}

function keyOf(task: TaskProps, sort: TaskSort): Key {
  const { field } = parseSort(sort);
  const raw: TaskSortValue =
    field === 'created_at'
      ? task.createdAt
      : field === 'updated_at'
        ? task.updatedAt
        : field === 'due_date'
          ? task.dueDate
          : field === 'priority'
            ? task.priority
            : task.title;
  return { value: comparable(raw, sort), id: task.id };
}

function comparable(value: TaskSortValue, sort: TaskSort): number | string | null {
  if (value instanceof Date) return value.getTime();
  if (value !== null && parseSort(sort).field === 'priority') {
    return TASK_PRIORITIES.indexOf(value as (typeof TASK_PRIORITIES)[number]);
  }
  return value;
}

/** By value in the sort's direction, nulls last either way, then by id in the same direction. */
function comparator(sort: TaskSort): (a: Key, b: Key) => number {
  const direction = parseSort(sort).descending ? -1 : 1;
  const order = (x: number | string, y: number | string) => (x < y ? -1 : x > y ? 1 : 0);
  return (a, b) => {
    if (a.value === null || b.value === null) {
      if (a.value !== b.value) return a.value === null ? 1 : -1;
    } else {
      const byValue = order(a.value, b.value);
      if (byValue !== 0) return byValue * direction;
    }
    return order(a.id, b.id) * direction;
  };
}
