import { err, ResultAsync, type Result } from 'neverthrow';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, TasksPorts, TaskView } from './ports.ts';
import { ownedCategories } from './support/task-references.ts';
import { changeTask } from './support/task-writes.ts';
import { visibleTask } from './support/visible-task.ts';

export interface AddTaskCategoryInput {
  actor: Actor;
  taskId: string;
  categoryId: string;
}

export type AddTaskCategoryError = TaskErrorOf<
  | 'TaskNotFound'
  | 'Forbidden'
  | 'ProjectArchived'
  | 'VersionConflict'
  | 'CategoryNotFound'
  | 'AlreadyAssigned'
>;

type Ports = Pick<
  TasksPorts,
  | 'tasks'
  | 'projects'
  | 'comments'
  | 'categories'
  | 'outbox'
  | 'transactions'
  | 'reminders'
  | 'clock'
>;

/**
 * Files the task under one of its owner's categories, by an `editor`+: a task's categories are its
 * owner's labels, so nobody else's can be put on it.
 */
export class AddTaskCategory {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: AddTaskCategoryInput): ResultAsync<TaskView, AddTaskCategoryError> {
    return new ResultAsync(this.add(input));
  }

  private async add(input: AddTaskCategoryInput): Promise<Result<TaskView, AddTaskCategoryError>> {
    const { ports } = this;
    const { actor, taskId, categoryId } = input;
    const added = await changeTask<AddTaskCategoryError>(ports, {
      taskId,
      actorId: actor.userId,
      apply: async (task, now, access) => {
        const allowed = task.addCategory(categoryId, access, now);
        if (allowed.isErr()) return err(allowed.error);
        return (await ownedCategories(ports.categories, task.ownerId, [categoryId])).map(
          () => undefined,
        );
      },
    });
    if (added.isErr()) return err(added.error);
    return visibleTask(ports.tasks, taskId, actor.userId);
  }
}
