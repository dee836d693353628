import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, TasksPorts } from './ports.ts';
import { changeTask } from './support/task-writes.ts';

export interface RemoveTaskCategoryInput {
  actor: Actor;
  taskId: string;
  categoryId: string;
}

/** `CategoryNotFound` also when the category exists but the task is not filed under it. */
export type RemoveTaskCategoryError = TaskErrorOf<
  'TaskNotFound' | 'Forbidden' | 'ProjectArchived' | 'VersionConflict' | 'CategoryNotFound'
>;

type Ports = Pick<
  TasksPorts,
  'tasks' | 'projects' | 'comments' | 'outbox' | 'transactions' | 'reminders' | 'clock'
>;

export class RemoveTaskCategory {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: RemoveTaskCategoryInput): ResultAsync<void, RemoveTaskCategoryError> {
    return new ResultAsync(this.remove(input));
  }

  private async remove(
    input: RemoveTaskCategoryInput,
  ): Promise<Result<void, RemoveTaskCategoryError>> {
    const removed = await changeTask<RemoveTaskCategoryError>(this.ports, {
      taskId: input.taskId,
      actorId: input.actor.userId,
      apply: (task, now, access) => task.removeCategory(input.categoryId, access, now),
    });
    return removed.isErr() ? err(removed.error) : ok(undefined);
  }
}
