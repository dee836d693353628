import { ResultAsync } from 'neverthrow';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, TasksPorts, TaskView } from './ports.ts';
import { visibleTask } from './support/visible-task.ts';

export interface GetTaskInput {
  actor: Actor;
  taskId: string;
}

export type GetTaskError = TaskErrorOf<'TaskNotFound'>;

type Ports = Pick<TasksPorts, 'tasks'>;

export class GetTask {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: GetTaskInput): ResultAsync<TaskView, GetTaskError> {
    return new ResultAsync(visibleTask(this.ports.tasks, input.taskId, input.actor.userId));
  }
}
