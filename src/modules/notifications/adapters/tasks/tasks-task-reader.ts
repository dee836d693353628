import type { GetTask, WhoCanSeeTask } from '../../../tasks/index.ts';
import type { TaskReader, TaskSnapshot } from '../../application/ports.ts';

/**
 * Tasks through the tasks module's own use cases: a reminder job sees the task as its owner or
 * assignee would, and the relay asks who may see it, so a deleted task or one someone lost access
 * to (unassigned, removed from its project) is not theirs any more.
 */
export class TasksTaskReader implements TaskReader {
  private readonly getTask: Pick<GetTask, 'execute'>;
  private readonly whoCanSeeTask: Pick<WhoCanSeeTask, 'execute'>;

  constructor(getTask: Pick<GetTask, 'execute'>, whoCanSeeTask: Pick<WhoCanSeeTask, 'execute'>) {
    this.getTask = getTask;
    this.whoCanSeeTask = whoCanSeeTask;
  }

  async visibleTo(taskId: string, userId: string): Promise<TaskSnapshot | undefined> {
    return (await this.getTask.execute({ actor: { userId }, taskId }))
      .map((view): TaskSnapshot => view.task.toProps())
      .unwrapOr(undefined);
  }

  async whoCanSee(taskId: string, userIds: readonly string[]): Promise<string[]> {
    return (await this.whoCanSeeTask.execute({ taskId, userIds })).unwrapOr([]);
  }
}
