import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { Comment } from '../domain/comment.ts';
import { mayComment } from '../domain/task-access.ts';
import { taskCommentedEvent } from '../domain/task-events.ts';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, TasksPorts } from './ports.ts';
import { lockedTask } from './support/locked-task.ts';

export interface AddCommentInput {
  actor: Actor;
  taskId: string;
  body: string;
}

export type AddCommentError = TaskErrorOf<
  'TaskNotFound' | 'Forbidden' | 'ProjectArchived' | 'ValidationFailed'
>;

type Ports = Pick<
  TasksPorts,
  'tasks' | 'projects' | 'comments' | 'outbox' | 'transactions' | 'ids' | 'clock'
>;

/**
 * Comments on a visible task (a `viewer` may) and tells its owner, its assignee and everyone who
 * commented before (but not the author). Decided in the transaction that inserts it, on the
 * author's locked standing (`lockedTask`): one removed, or a project archived, meanwhile does not
 * get a comment in.
 */
export class AddComment {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: AddCommentInput): ResultAsync<Comment, AddCommentError> {
    return new ResultAsync(this.add(input));
  }

  private async add(input: AddCommentInput): Promise<Result<Comment, AddCommentError>> {
    const { ports } = this;
    const { actor, taskId, body } = input;
    return ports.transactions.run(async () => {
      const view = await lockedTask(ports, taskId, actor.userId);
      if (view.isErr()) return err(view.error);
      const { task, access } = view.value;
      const allowed = mayComment(task, access);
      if (allowed.isErr()) return err(allowed.error);
      const created = Comment.create(
        { id: ports.ids.next(), taskId, authorId: actor.userId, body },
        ports.clock.now(),
      );
      if (created.isErr()) return err(created.error);
      const comment = created.value;
      await ports.comments.insert(comment);
      const commenters = await ports.comments.authorsOf(taskId);
      await ports.outbox.append([taskCommentedEvent(task, comment, commenters)]);
      return ok(comment);
    });
  }
}
