import { err, ok, ResultAsync, type Result } from 'neverthrow';
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
  'TaskNotFound' | 'Forbidden' | 'ProjectArchived' | 'VersionConflict' | 'AssigneeNotFound'
>;

type Ports = Pick<
  TasksPorts,
  'tasks' | 'projects' | 'comments' | 'users' | 'outbox' | 'transactions' | 'reminders' | 'clock'
>;

/**
 * PUT assignee, by an `editor`+ (the Inbox's owner there); the assignee must be an active user with
 * a verified email and, in a shared project, one of its members.
 */
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
      apply: async (task, now, access, held) => {
        const allowed = task.assign(assigneeId, access, now);
        if (allowed.isErr()) return err(allowed.error);
        const place = { projectId: task.projectId, personal: access.personal };
        const assignee = await checkAssignee(ports, assigneeId, place);
        if (assignee.isErr()) return err(assignee.error);
        if (assignee.value) held.push(assignee.value);
        return ok(undefined);
      },
    });
    if (assigned.isErr()) return err(assigned.error);
    return visibleTask(ports.tasks, taskId, actor.userId);
  }
}
