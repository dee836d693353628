import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { Comment } from '../domain/comment.ts';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, TasksPorts } from './ports.ts';
import { visibleTask } from './support/visible-task.ts';

export interface ListCommentsInput {
  actor: Actor;
  taskId: string;
  /** ≥ 1. */
  page: number;
  /** 1–100. */
  limit: number;
}

export interface ListCommentsOutput {
  items: Comment[];
  total: number;
  page: number;
  limit: number;
}

export type ListCommentsError = TaskErrorOf<'TaskNotFound'>;

type Ports = Pick<TasksPorts, 'tasks' | 'comments'>;

/** The comments of a visible task, oldest first, a page at a time. */
export class ListComments {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: ListCommentsInput): ResultAsync<ListCommentsOutput, ListCommentsError> {
    return new ResultAsync(this.list(input));
  }

  private async list(
    input: ListCommentsInput,
  ): Promise<Result<ListCommentsOutput, ListCommentsError>> {
    const { actor, taskId, page, limit } = input;
    const view = await visibleTask(this.ports.tasks, taskId, actor.userId);
    if (view.isErr()) return err(view.error);
    const window = { offset: (page - 1) * limit, limit };
    const { items, total } = await this.ports.comments.listForTask(taskId, window);
    return ok({ items, total, page, limit });
  }
}
