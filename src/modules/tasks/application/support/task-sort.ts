import type { Task } from '../../domain/task.ts';

/** A field, ascending, or `-field`, descending (`sort` of `listTasks` in openapi/openapi.json). */
export const TASK_SORTS = [
  'created_at',
  '-created_at',
  'due_date',
  '-due_date',
  'priority',
  '-priority',
  'title',
  '-title',
  'updated_at',
  '-updated_at',
] as const;
export type TaskSort = (typeof TASK_SORTS)[number];
export type TaskSortField = Exclude<TaskSort, `-${string}`>;
export const DEFAULT_TASK_SORT: TaskSort = '-created_at';

export const TASK_SCOPES = ['all', 'owned', 'assigned'] as const;
export type TaskScope = (typeof TASK_SCOPES)[number];

export function parseSort(sort: TaskSort): { field: TaskSortField; descending: boolean } {
  const descending = sort.startsWith('-');
  return { field: (descending ? sort.slice(1) : sort) as TaskSortField, descending };
}

/**
 * The sort key of one task: a time, a priority name (`TaskPriority`), a title, or null for a task
 * without a due date.
 */
export type TaskSortValue = Date | string | null;

/** Where a keyset page ended: the last task's sort key and id, under the sort it was read with. */
export interface TaskKeysetPosition {
  sort: TaskSort;
  value: TaskSortValue;
  id: string;
}

function sortValueOf(task: Task, field: TaskSortField): TaskSortValue {
  switch (field) {
    case 'created_at':
      return task.createdAt;
    case 'updated_at':
      return task.updatedAt;
    case 'due_date':
      return task.dueDate;
    case 'priority':
      return task.priority;
    case 'title':
      return task.title;
  }
}

export function positionAfter(task: Task, sort: TaskSort): TaskKeysetPosition {
  return { sort, value: sortValueOf(task, parseSort(sort).field), id: task.id };
}
