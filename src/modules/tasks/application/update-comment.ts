import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { Comment } from '../domain/comment.ts';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, TasksPorts } from './ports.ts';
import { lockedTask } from './support/locked-task.ts';

export interface UpdateCommentInput {
  actor: Actor;
  taskId: string;
  commentId: string;
  body: string;
}

export type UpdateCommentError = TaskErrorOf<
  'TaskNotFound' | 'CommentNotFound' | 'Forbidden' | 'ProjectArchived' | 'ValidationFailed'
>;

type Ports = Pick<TasksPorts, 'tasks' | 'projects' | 'comments' | 'transactions' | 'clock'>;

/**
 * Edits a comment, by its author only; decided in the transaction that writes it, on the author's
 * locked standing (`lockedTask`), so one removed or a project archived meanwhile edits nothing.
 */
export class UpdateComment {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: UpdateCommentInput): ResultAsync<Comment, UpdateCommentError> {
    return new ResultAsync(this.update(input));
  }

  private async update(input: UpdateCommentInput): Promise<Result<Comment, UpdateCommentError>> {
    const { ports } = this;
    const { actor, taskId, commentId } = input;
    return ports.transactions.run(async () => {
      const view = await lockedTask(ports, taskId, actor.userId);
      if (view.isErr()) return err(view.error);
      const comment = await ports.comments.findInTask(taskId, commentId);
      if (!comment) return err({ type: 'CommentNotFound', commentId });
      const edited = comment.edit(input.body, view.value.access, ports.clock.now());
      if (edited.isErr()) return err(edited.error);
      await ports.comments.update(comment);
      return ok(comment);
    });
  }
}
