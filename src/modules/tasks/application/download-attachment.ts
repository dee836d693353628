import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { Attachment } from '../domain/attachment.ts';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, TasksPorts } from './ports.ts';
import { visibleTask } from './support/visible-task.ts';

export interface DownloadAttachmentInput {
  actor: Actor;
  taskId: string;
  attachmentId: string;
}

export interface DownloadAttachmentOutput {
  attachment: Attachment;
  body: ReadableStream<Uint8Array>;
  sizeBytes: number;
}

export type DownloadAttachmentError = TaskErrorOf<'TaskNotFound' | 'AttachmentNotFound'>;

type Ports = Pick<TasksPorts, 'tasks' | 'attachments' | 'files'>;

/** The bytes of an attachment of a visible task, streamed from storage. */
export class DownloadAttachment {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(
    input: DownloadAttachmentInput,
  ): ResultAsync<DownloadAttachmentOutput, DownloadAttachmentError> {
    return new ResultAsync(this.download(input));
  }

  private async download(
    input: DownloadAttachmentInput,
  ): Promise<Result<DownloadAttachmentOutput, DownloadAttachmentError>> {
    const { ports } = this;
    const { actor, taskId, attachmentId } = input;
    const view = await visibleTask(ports.tasks, taskId, actor.userId);
    if (view.isErr()) return err(view.error);
    const attachment = await ports.attachments.findInTask(taskId, attachmentId);
    // A row whose blob is gone has nothing to serve: to the client that is the same as no file.
    const file = attachment && (await ports.files.get(attachment.storageKey));
    if (!attachment || !file) return err({ type: 'AttachmentNotFound', attachmentId });
    return ok({ attachment, body: file.body, sizeBytes: file.sizeBytes });
  }
}
