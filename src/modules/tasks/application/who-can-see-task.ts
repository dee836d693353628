import { ok, ResultAsync } from 'neverthrow';
import type { TasksPorts } from './ports.ts';

export interface WhoCanSeeTaskInput {
  taskId: string;
  userIds: readonly string[];
}

type Ports = Pick<TasksPorts, 'tasks'>;

/**
 * Those of the given users who may see the task now, by the rule every task read applies
 * (task-access.ts): for whoever hands a task's events to people after the fact (notifications,
 * webhooks), so that someone removed from a project stops hearing of its tasks at once.
 */
export class WhoCanSeeTask {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: WhoCanSeeTaskInput): ResultAsync<string[], never> {
    return new ResultAsync(
      this.ports.tasks.whoCanSee(input.taskId, input.userIds).then((ids) => ok(ids)),
    );
  }
}
