import { err, ResultAsync, type Result } from 'neverthrow';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, TasksPorts, TaskView } from './ports.ts';
import { checkAssignee } from './support/task-references.ts';
import { changeTask } from './support/task-writes.ts';
import { visibleTask } from './support/visible-task.ts';

export interface AssignTaskInput {
  actor: Actor;
  taskId: string;
  assigneeId: string;
}

export type AssignTaskError = TaskErrorOf<
  'TaskNotFound' | 'Forbidden' | 'VersionConflict' | 'AssigneeNotFound'
>;

type Ports = Pick<
  TasksPorts,
  'tasks' | 'users' | 'outbox' | 'transactions' | 'reminders' | 'clock'
>;

/** PUT assignee, by the owner; the assignee must be an active user with a verified email. */
export class AssignTask {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: AssignTaskInput): ResultAsync<TaskView, AssignTaskError> {
    return new ResultAsync(this.assign(input));
  }

  private async assign(input: AssignTaskInput): Promise<Result<TaskView, AssignTaskError>> {
    const { ports } = this;
    const { actor, taskId, assigneeId } = input;
    const assigned = await changeTask<AssignTaskError>(ports, {
      taskId,
      actorId: actor.userId,
      apply: async (task, now) => {
        const allowed = task.assign(assigneeId, actor.userId, now);
        if (allowed.isErr()) return err(allowed.error);
        return checkAssignee(ports.users, assigneeId);
      },
    });
    if (assigned.isErr()) return err(assigned.error);
    return visibleTask(ports.tasks, taskId, actor.userId);
  }
}
