import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { TaskPriority, TaskStatus } from '../domain/task-fields.ts';
import { validationFailed, type FieldError, type TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, TaskListQuery, TasksPorts, TaskView } from './ports.ts';
import { decodeCursor, encodeCursor } from './support/task-cursor.ts';
import {
  DEFAULT_TASK_SORT,
  positionAfter,
  type TaskScope,
  type TaskSort,
} from './support/task-sort.ts';

export interface ListTasksInput {
  actor: Actor;
  /** ≥ 1; only 1 goes with a cursor. */
  page: number;
  /** 1–100. */
  limit: number;
  /** A `nextCursor` from an earlier page under the same sort. */
  cursor?: string;
  scope?: TaskScope;
  sort?: TaskSort;
  projectId?: string;
  status?: TaskStatus;
  priority?: TaskPriority;
  dueFrom?: Date;
  dueTo?: Date;
  categoryId?: string;
  assigneeId?: string;
  q?: string;
  /** `false`: no `total` (null), which spares counting every match. */
  includeTotal?: boolean;
}

export interface ListTasksOutput {
  items: TaskView[];
  total: number | null;
  page: number;
  limit: number;
  /** Continues after the last item, in either paging mode; null when nothing follows. */
  nextCursor: string | null;
}

export type ListTasksError = TaskErrorOf<'ValidationFailed'>;

type Ports = Pick<TasksPorts, 'tasks'>;

/** The caller's visible tasks, filtered and sorted, by page or by keyset cursor. */
export class ListTasks {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: ListTasksInput): ResultAsync<ListTasksOutput, ListTasksError> {
    return new ResultAsync(this.list(input));
  }

  private async list(input: ListTasksInput): Promise<Result<ListTasksOutput, ListTasksError>> {
    const {
      actor,
      page,
      limit,
      cursor,
      scope = 'all',
      sort = DEFAULT_TASK_SORT,
      q,
      includeTotal = true,
      ...filters
    } = input;
    const window = windowOf(page, limit, cursor, sort);
    const errors = window.isErr() ? [window.error] : [];
    if (filters.dueFrom && filters.dueTo && filters.dueFrom > filters.dueTo) {
      errors.push({ field: 'due_to', message: 'must not be before due_from' });
    }
    if (window.isErr() || errors.length > 0) return err(validationFailed(errors));

    const search = q?.trim();
    const query: TaskListQuery = {
      ...filters,
      ...(search ? { q: search } : {}),
      userId: actor.userId,
      scope,
      sort,
      limit,
      window: window.value,
      withTotal: includeTotal,
    };
    const { items, total, hasMore } = await this.ports.tasks.list(query);
    const last = items.at(-1);
    const nextCursor = hasMore && last ? encodeCursor(positionAfter(last.task, sort)) : null;
    return ok({ items, total: includeTotal ? (total ?? null) : null, page, limit, nextCursor });
  }
}

function windowOf(
  page: number,
  limit: number,
  cursor: string | undefined,
  sort: TaskSort,
): Result<TaskListQuery['window'], FieldError> {
  if (cursor === undefined) return ok({ type: 'offset', offset: (page - 1) * limit });
  const invalid = (message: string) => err({ field: 'cursor' as const, message });
  const position = decodeCursor(cursor);
  if (!position) return invalid('is not a cursor this API issued');
  // A keyset position only means something in the order it was taken from.
  if (position.sort !== sort) return invalid(`belongs to sort=${position.sort}`);
  if (page !== 1) return invalid('cannot be combined with page');
  return ok({ type: 'after', position });
}
