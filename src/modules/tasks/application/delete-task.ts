import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, TasksPorts } from './ports.ts';
import { changeTask } from './support/task-writes.ts';

export interface DeleteTaskInput {
  actor: Actor;
  taskId: string;
}

export type DeleteTaskError = TaskErrorOf<
  'TaskNotFound' | 'Forbidden' | 'ProjectArchived' | 'VersionConflict'
>;

type Ports = Pick<
  TasksPorts,
  'tasks' | 'projects' | 'comments' | 'outbox' | 'transactions' | 'reminders' | 'clock'
>;

/** Soft delete, by an `editor`+: the task disappears for everyone and its reminder is called off. */
export class DeleteTask {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: DeleteTaskInput): ResultAsync<void, DeleteTaskError> {
    return new ResultAsync(this.delete(input));
  }

  private async delete(input: DeleteTaskInput): Promise<Result<void, DeleteTaskError>> {
    const deleted = await changeTask<DeleteTaskError>(this.ports, {
      taskId: input.taskId,
      actorId: input.actor.userId,
      apply: (task, now, access) => task.softDelete(access, now),
    });
    return deleted.isErr() ? err(deleted.error) : ok(undefined);
  }
}
