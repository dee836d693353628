import type { GetTask } from '../../../tasks/index.ts';
import type { TaskReader, TaskSnapshot } from '../../application/ports.ts';

/**
 * Tasks through the tasks module's own use case: a reminder job sees the task as its owner or
 * assignee would, so a deleted task or one they lost access to is not theirs any more.
 */
export class TasksTaskReader implements TaskReader {
  private readonly getTask: Pick<GetTask, 'execute'>;

  constructor(getTask: Pick<GetTask, 'execute'>) {
    this.getTask = getTask;
  }

  async visibleTo(taskId: string, userId: string): Promise<TaskSnapshot | undefined> {
    return (await this.getTask.execute({ actor: { userId }, taskId }))
      .map((view): TaskSnapshot => view.task.toProps())
      .unwrapOr(undefined);
  }
}
