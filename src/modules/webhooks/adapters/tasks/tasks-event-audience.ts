import type { GetTask } from '../../../tasks/index.ts';
import type { EventAudience, WebhookEvent } from '../../application/ports.ts';

/**
 * Who may see a task event, by the tasks module's rule (a task is visible to its owner and its
 * assignee). When it happened: its actor (who could act on the task, so could see it) and the
 * recipients the tasks module named then (the owner and the assignee, or the new assignee). A
 * reminder has no actor: its recipients are the owner and the assignee. Later, the tasks module's
 * own `GetTask` says whether someone still may.
 */
export class TasksEventAudience implements EventAudience {
  private readonly getTask: Pick<GetTask, 'execute'>;

  constructor(getTask: Pick<GetTask, 'execute'>) {
    this.getTask = getTask;
  }

  entitled(event: WebhookEvent): readonly string[] {
    const users = event.actorId === null ? event.recipients : [event.actorId, ...event.recipients];
    return [...new Set(users)];
  }

  async stillEntitled(userId: string, taskId: string): Promise<boolean> {
    return (await this.getTask.execute({ actor: { userId }, taskId })).isOk();
  }
}
