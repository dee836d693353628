import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { Attachment } from '../domain/attachment.ts';
import { mayDeleteAttachment } from '../domain/task-access.ts';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, TasksPorts } from './ports.ts';
import { lockedTask } from './support/locked-task.ts';

export interface DeleteAttachmentInput {
  actor: Actor;
  taskId: string;
  attachmentId: string;
}

export type DeleteAttachmentError = TaskErrorOf<
  'TaskNotFound' | 'AttachmentNotFound' | 'Forbidden' | 'ProjectArchived'
>;

type Ports = Pick<
  TasksPorts,
  'tasks' | 'projects' | 'attachments' | 'files' | 'failures' | 'transactions'
>;

/**
 * Deletes an attachment, by its uploader or an `editor`+ of the project; decided in the
 * transaction that deletes the row, on the caller's locked standing (`lockedTask`), so one
 * lowered, removed or a project archived meanwhile deletes nothing.
 */
export class DeleteAttachment {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: DeleteAttachmentInput): ResultAsync<void, DeleteAttachmentError> {
    return new ResultAsync(this.delete(input));
  }

  private async delete(input: DeleteAttachmentInput): Promise<Result<void, DeleteAttachmentError>> {
    const { ports } = this;
    const { actor, taskId, attachmentId } = input;
    const deleted = await ports.transactions.run(
      async (): Promise<Result<Attachment, DeleteAttachmentError>> => {
        const view = await lockedTask(ports, taskId, actor.userId);
        if (view.isErr()) return err(view.error);
        const attachment = await ports.attachments.findInTask(taskId, attachmentId);
        if (!attachment) return err({ type: 'AttachmentNotFound', attachmentId });
        const allowed = mayDeleteAttachment(attachment, view.value.access);
        if (allowed.isErr()) return err(allowed.error);
        await ports.attachments.delete(attachment.id);
        return ok(attachment);
      },
    );
    if (deleted.isErr()) return err(deleted.error);
    const attachment = deleted.value;
    // The row goes first, and the blob only once its deletion committed: a blob without a row is
    // only wasted space, a row without a blob is a broken download. So a failure to delete the
    // blob is reported, and the deletion stands.
    try {
      await ports.files.delete(attachment.storageKey);
    } catch (error) {
      ports.failures.report(error, { operation: 'attachment.delete_blob', userId: actor.userId });
    }
    return ok(undefined);
  }
}
