import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { mayDeleteComment } from '../domain/task-access.ts';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, TasksPorts } from './ports.ts';
import { lockedTask } from './support/locked-task.ts';

export interface DeleteCommentInput {
  actor: Actor;
  taskId: string;
  commentId: string;
}

export type DeleteCommentError = TaskErrorOf<
  'TaskNotFound' | 'CommentNotFound' | 'Forbidden' | 'ProjectArchived'
>;

type Ports = Pick<TasksPorts, 'tasks' | 'projects' | 'comments' | 'transactions'>;

/**
 * Deletes a comment, by its author or an `admin`+ of the project (the Inbox's owner there);
 * decided in the transaction that deletes it, on the caller's locked standing (`lockedTask`), so
 * an admin lowered, one removed or a project archived meanwhile deletes nothing.
 */
export class DeleteComment {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: DeleteCommentInput): ResultAsync<void, DeleteCommentError> {
    return new ResultAsync(this.delete(input));
  }

  private async delete(input: DeleteCommentInput): Promise<Result<void, DeleteCommentError>> {
    const { ports } = this;
    const { actor, taskId, commentId } = input;
    return ports.transactions.run(async () => {
      const view = await lockedTask(ports, taskId, actor.userId);
      if (view.isErr()) return err(view.error);
      const comment = await ports.comments.findInTask(taskId, commentId);
      if (!comment) return err({ type: 'CommentNotFound', commentId });
      const allowed = mayDeleteComment(comment, view.value.access);
      if (allowed.isErr()) return err(allowed.error);
      await ports.comments.delete(comment.id);
      return ok(undefined);
    });
  }
}
