import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, TasksPorts } from './ports.ts';
import { changeTask } from './support/task-writes.ts';

export interface UnassignTaskInput {
  actor: Actor;
  taskId: string;
}

export type UnassignTaskError = TaskErrorOf<
  'TaskNotFound' | 'Forbidden' | 'ProjectArchived' | 'VersionConflict'
>;

type Ports = Pick<
  TasksPorts,
  'tasks' | 'projects' | 'comments' | 'outbox' | 'transactions' | 'reminders' | 'clock'
>;

/** DELETE assignee, by an `editor`+; a task without an assignee stays as it is. */
export class UnassignTask {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: UnassignTaskInput): ResultAsync<void, UnassignTaskError> {
    return new ResultAsync(this.unassign(input));
  }

  private async unassign(input: UnassignTaskInput): Promise<Result<void, UnassignTaskError>> {
    const unassigned = await changeTask<UnassignTaskError>(this.ports, {
      taskId: input.taskId,
      actorId: input.actor.userId,
      apply: (task, now, access) => task.unassign(access, now),
    });
    return unassigned.isErr() ? err(unassigned.error) : ok(undefined);
  }
}
