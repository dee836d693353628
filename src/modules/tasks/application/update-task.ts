import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Task, TaskPatch } from '../domain/task.ts';
import type { Actor, TasksPorts, TaskView } from './ports.ts';
import { checkAssignee, ownedCategories } from './support/task-references.ts';
import { changeTask } from './support/task-writes.ts';
import { visibleTask } from './support/visible-task.ts';

export interface UpdateTaskInput extends TaskPatch {
  actor: Actor;
  taskId: string;
  /** The version the client read; a task changed since is a conflict, not a silent overwrite. */
  version?: number;
  /** The version an `If-Match` names; a task changed since is a failed precondition. */
  precondition?: number;
}

export type UpdateTaskError = TaskErrorOf<
  | 'TaskNotFound'
  | 'Forbidden'
  | 'VersionConflict'
  | 'PreconditionFailed'
  | 'ValidationFailed'
  | 'CategoryNotFound'
  | 'AssigneeNotFound'
>;

type Ports = Pick<
  TasksPorts,
  'tasks' | 'categories' | 'users' | 'outbox' | 'transactions' | 'reminders' | 'clock'
>;

/** PATCH: a partial change under optimistic locking; the assignee may change only the status. */
export class UpdateTask {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: UpdateTaskInput): ResultAsync<TaskView, UpdateTaskError> {
    return new ResultAsync(this.update(input));
  }

  private async update(input: UpdateTaskInput): Promise<Result<TaskView, UpdateTaskError>> {
    const { ports } = this;
    const { actor, taskId, version, precondition, ...patch } = input;
    // A precondition is judged first (RFC 9110 §13.2.2), and each attempt judges it again on the
    // fresh task, so a write that loses a race to another one fails it rather than overwriting.
    const changed = await changeTask<UpdateTaskError>(ports, {
      taskId,
      actorId: actor.userId,
      expectedVersion: precondition === undefined ? version : undefined,
      apply: (task, now) => {
        if (precondition === undefined) return this.apply(task, patch, actor, now);
        if (task.version !== precondition) {
          return err({ type: 'PreconditionFailed', currentVersion: task.version });
        }
        if (version !== undefined && task.version !== version) {
          return err({ type: 'VersionConflict', currentVersion: task.version });
        }
        return this.apply(task, patch, actor, now);
      },
    });
    if (changed.isErr()) return err(changed.error);
    return visibleTask(ports.tasks, taskId, actor.userId);
  }

  private async apply(
    task: Task,
    patch: TaskPatch,
    actor: Actor,
    now: Date,
  ): Promise<Result<void, UpdateTaskError>> {
    const fields = task.update(patch, actor.userId, now);
    if (fields.isErr()) return err(fields.error);
    if (fields.value.includes('categoryIds')) {
      const found = await ownedCategories(this.ports.categories, task.ownerId, task.categoryIds);
      if (found.isErr()) return err(found.error);
    }
    if (fields.value.includes('assigneeId') && task.assigneeId !== null) {
      const assignee = await checkAssignee(this.ports.users, task.assigneeId);
      if (assignee.isErr()) return err(assignee.error);
    }
    return ok(undefined);
  }
}
