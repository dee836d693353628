import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { mayDeleteAttachment } from '../domain/task-access.ts';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, TasksPorts } from './ports.ts';
import { visibleTask } from './support/visible-task.ts';

export interface DeleteAttachmentInput {
  actor: Actor;
  taskId: string;
  attachmentId: string;
}

export type DeleteAttachmentError = TaskErrorOf<
  'TaskNotFound' | 'AttachmentNotFound' | 'Forbidden' | 'ProjectArchived'
>;

type Ports = Pick<TasksPorts, 'tasks' | 'attachments' | 'files' | 'failures'>;

/** Deletes an attachment, by its uploader or an `editor`+ of the project. */
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
    const view = await visibleTask(ports.tasks, taskId, actor.userId);
    if (view.isErr()) return err(view.error);
    const attachment = await ports.attachments.findInTask(taskId, attachmentId);
    if (!attachment) return err({ type: 'AttachmentNotFound', attachmentId });
    const allowed = mayDeleteAttachment(attachment, view.value.access);
    if (allowed.isErr()) return err(allowed.error);
    // The row goes first: a blob without a row is only wasted space, a row without a blob is a
    // broken download. So a failure to delete the blob is reported, and the deletion stands.
    await ports.attachments.delete(attachment.id);
    try {
      await ports.files.delete(attachment.storageKey);
    } catch (error) {
      ports.failures.report(error, { operation: 'attachment.delete_blob', userId: actor.userId });
    }
    return ok(undefined);
  }
}
