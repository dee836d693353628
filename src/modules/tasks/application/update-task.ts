import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { TaskAccess } from '../domain/task-access.ts';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Task, TaskPatch } from '../domain/task.ts';
import type { Actor, TasksPorts, TaskView } from './ports.ts';
import { checkAssignee, ownedCategories } from './support/task-references.ts';
import { changeTask, type HeldAccess } from './support/task-writes.ts';
import { visibleTask } from './support/visible-task.ts';

export interface UpdateTaskInput extends TaskPatch {
  actor: Actor;
  taskId: string;
  /** Moves the task to this project (`editor` or above in both). */
  projectId?: string;
  /** The version the client read; a task changed since is a conflict, not a silent overwrite. */
  version?: number;
  /** The version an `If-Match` names; a task changed since is a failed precondition. */
  precondition?: number;
}

export type UpdateTaskError = TaskErrorOf<
  | 'TaskNotFound'
  | 'Forbidden'
  | 'ProjectArchived'
  | 'ProjectNotFound'
  | 'VersionConflict'
  | 'PreconditionFailed'
  | 'ValidationFailed'
  | 'CategoryNotFound'
  | 'AssigneeNotFound'
  | 'AssigneeNotMember'
>;

type Ports = Pick<
  TasksPorts,
  | 'tasks'
  | 'projects'
  | 'comments'
  | 'categories'
  | 'users'
  | 'outbox'
  | 'transactions'
  | 'reminders'
  | 'clock'
>;

/**
 * PATCH: a partial change under optimistic locking, and a move with `projectId`. Whoever may
 * change only the status (an Inbox task's assignee) changes only the status. A move keeps the
 * task's categories (they are labels of its owner) and its assignee only if the assignee is a
 * member of the target project; otherwise the client must unassign (or assign a member) in the
 * same request, and is told so with 409 `assignee_not_member` rather than losing the assignment
 * silently.
 */
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
    const { actor, taskId, version, precondition, projectId, ...patch } = input;
    // A precondition is judged first (RFC 9110 §13.2.2), and each attempt judges it again on the
    // fresh task, so a write that loses a race to another one fails it rather than overwriting.
    const changed = await changeTask<UpdateTaskError>(ports, {
      taskId,
      actorId: actor.userId,
      expectedVersion: precondition === undefined ? version : undefined,
      apply: (task, now, access, held) => {
        const change = { patch, projectId, access, held };
        if (precondition === undefined) return this.apply(task, change, now);
        if (task.version !== precondition) {
          return err({ type: 'PreconditionFailed', currentVersion: task.version });
        }
        if (version !== undefined && task.version !== version) {
          return err({ type: 'VersionConflict', currentVersion: task.version });
        }
        return this.apply(task, change, now);
      },
    });
    if (changed.isErr()) return err(changed.error);
    return visibleTask(ports.tasks, taskId, actor.userId);
  }

  private async apply(
    task: Task,
    change: {
      patch: TaskPatch;
      projectId: string | undefined;
      access: TaskAccess;
      held: HeldAccess[];
    },
    now: Date,
  ): Promise<Result<void, UpdateTaskError>> {
    const { patch, access, held } = change;
    const fields = task.update(patch, access, now);
    if (fields.isErr()) return err(fields.error);
    const moved = await this.move(task, change.projectId, access, now);
    if (moved.isErr()) return err(moved.error);
    if (moved.value) held.push(moved.value);
    const place = moved.value
      ? { projectId: moved.value.projectId, personal: moved.value.access.personal }
      : { projectId: task.projectId, personal: access.personal };

    if (fields.value.includes('categoryIds')) {
      const found = await ownedCategories(this.ports.categories, task.ownerId, task.categoryIds);
      if (found.isErr()) return err(found.error);
    }
    const assigneeChanged = fields.value.includes('assigneeId');
    if (task.assigneeId !== null && (assigneeChanged || moved.value)) {
      const assignee = await checkAssignee(this.ports, task.assigneeId, place);
      if (assignee.isErr()) {
        return err(
          assigneeChanged
            ? assignee.error
            : { type: 'AssigneeNotMember', assigneeId: task.assigneeId },
        );
      }
      if (assignee.value) held.push(assignee.value);
    }
    return ok(undefined);
  }

  /** The target's standing the move rests on; none when the task stays where it is. */
  private async move(
    task: Task,
    projectId: string | undefined,
    access: TaskAccess,
    now: Date,
  ): Promise<Result<HeldAccess | undefined, UpdateTaskError>> {
    if (projectId === undefined || projectId === task.projectId) return ok(undefined);
    const target = await this.ports.projects.accessOf(projectId, access.userId);
    if (target?.role === undefined) return err({ type: 'ProjectNotFound', projectId });
    const moved = task.moveTo({ projectId, access: target }, access, now);
    if (moved.isErr()) return err(moved.error);
    return ok({ projectId, access: target });
  }
}
