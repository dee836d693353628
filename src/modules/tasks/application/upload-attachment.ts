import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { ATTACHMENT_MAX_BYTES, cleanFilename, type Attachment } from '../domain/attachment.ts';
import { canView, mayAttach } from '../domain/task-access.ts';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import {
  FileTooLargeError,
  UnsupportedContentTypeError,
  type StoredFile,
} from './support/file-storage.ts';
import type { Actor, TasksPorts } from './ports.ts';
import { visibleTask } from './support/visible-task.ts';

export interface UploadAttachmentInput {
  actor: Actor;
  taskId: string;
  /** As the client named it; cleaned before it is stored. */
  filename?: string;
  /** As the client declared it; the storage judges it against the bytes. */
  contentType?: string;
  /**
   * What the transport already knows the file has at least (a declared length less the framing
   * it may include): an upload that cannot fit the uploader's quota is refused before it is read.
   */
  minSizeBytes?: number;
  body: ReadableStream<Uint8Array>;
}

export type UploadAttachmentError = TaskErrorOf<
  | 'TaskNotFound'
  | 'Forbidden'
  | 'ProjectArchived'
  | 'FileTooLarge'
  | 'UnsupportedMediaType'
  | 'StorageQuotaExceeded'
>;

type Ports = Pick<
  TasksPorts,
  | 'tasks'
  | 'projects'
  | 'attachments'
  | 'files'
  | 'failures'
  | 'ids'
  | 'clock'
  | 'transactions'
  | 'storageQuota'
>;

/**
 * Stores a file on a task, by an `editor`+ of its project or the assignee of an Inbox task. Access
 * is decided before a byte is stored, and decided again in the transaction that inserts the row,
 * with the task and the uploader's membership locked: streaming takes time, and an uploader
 * removed, lowered to `viewer` or unassigned (or a task deleted or moved, or its project archived)
 * meanwhile must not get the file in; a removal that comes later waits for the commit.
 *
 * The uploader's storage quota is checked three times: before reading (a full quota, or a file
 * declared too big for what is left), while streaming (reading stops once the file passes what
 * is left), and atomically at the insert (parallel uploads of one user are serialised there, so
 * together they cannot overshoot). A failed or refused upload leaves neither a blob nor a row.
 */
export class UploadAttachment {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: UploadAttachmentInput): ResultAsync<Attachment, UploadAttachmentError> {
    return new ResultAsync(this.upload(input));
  }

  private async upload(
    input: UploadAttachmentInput,
  ): Promise<Result<Attachment, UploadAttachmentError>> {
    const { ports } = this;
    const { actor, taskId } = input;
    const allowed = await this.authorize(input);
    if (allowed.isErr()) {
      await discardBody(input.body);
      return err(allowed.error);
    }
    const quotaBytes = ports.storageQuota.bytesPerUser;
    const usedBytes = await ports.attachments.usageOf(actor.userId);
    if (usedBytes + (input.minSizeBytes ?? 0) > quotaBytes) {
      await discardBody(input.body);
      return err(this.overQuota(usedBytes));
    }

    const stored = await this.store(input, usedBytes, quotaBytes - usedBytes);
    if (stored.isErr()) return err(stored.error);
    const { key, sizeBytes, sha256, contentType } = stored.value;
    const attachment: Attachment = {
      id: ports.ids.next(),
      taskId,
      filename: cleanFilename(input.filename),
      contentType,
      sizeBytes,
      sha256,
      storageKey: key,
      uploadedBy: actor.userId,
      createdAt: ports.clock.now(),
    };
    let inserted: Result<void, UploadAttachmentError>;
    try {
      inserted = await ports.transactions.run(() =>
        this.insert(attachment, actor.userId, allowed.value),
      );
    } catch (error) {
      await this.forget(key, actor.userId);
      throw error;
    }
    if (inserted.isErr()) {
      await this.forget(key, actor.userId);
      return err(inserted.error);
    }
    return ok(attachment);
  }

  /**
   * Runs in the transaction: the uploader's membership, the task and the uploader's quota stay
   * locked until the commit. The membership is locked before the task, in the order a member's
   * removal takes them (it deletes the membership, then unassigns the task), so the two wait for
   * each other instead of deadlocking.
   */
  private async insert(
    attachment: Attachment,
    userId: string,
    projectId: string,
  ): Promise<Result<void, UploadAttachmentError>> {
    const access = await this.ports.projects.accessOf(projectId, userId, true);
    const parties = await this.ports.tasks.lockParties(attachment.taskId);
    // Whoever can no longer see the task is told it is not there, as before the upload; so is
    // one whose task moved to another project meanwhile (access was judged in the old one).
    if (!parties || !access || parties.projectId !== projectId || !canView(parties, access)) {
      return err({ type: 'TaskNotFound', taskId: attachment.taskId });
    }
    const allowed = mayAttach(parties, access);
    if (allowed.isErr()) return err(allowed.error);
    const usedBytes = await this.ports.attachments.lockUsage(userId);
    if (usedBytes + attachment.sizeBytes > this.ports.storageQuota.bytesPerUser) {
      return err(this.overQuota(usedBytes));
    }
    await this.ports.attachments.insert(attachment);
    return ok(undefined);
  }

  private async authorize(
    input: UploadAttachmentInput,
  ): Promise<Result<string, TaskErrorOf<'TaskNotFound' | 'Forbidden' | 'ProjectArchived'>>> {
    const view = await visibleTask(this.ports.tasks, input.taskId, input.actor.userId);
    if (view.isErr()) return err(view.error);
    const { task, access } = view.value;
    return mayAttach(task, access).map(() => task.projectId);
  }

  /** Streams the body to storage, stopping at the file limit or at what is left of the quota. */
  private async store(
    input: UploadAttachmentInput,
    usedBytes: number,
    leftBytes: number,
  ): Promise<Result<StoredFile, UploadAttachmentError>> {
    const maxBytes = Math.min(ATTACHMENT_MAX_BYTES, leftBytes);
    try {
      return ok(
        await this.ports.files.put(input.body, {
          maxBytes,
          ...(input.contentType ? { declaredContentType: input.contentType } : {}),
        }),
      );
    } catch (error) {
      if (error instanceof FileTooLargeError) {
        return err(
          maxBytes < ATTACHMENT_MAX_BYTES
            ? this.overQuota(usedBytes)
            : { type: 'FileTooLarge', maxBytes: ATTACHMENT_MAX_BYTES },
        );
      }
      if (error instanceof UnsupportedContentTypeError)
        return err({ type: 'UnsupportedMediaType' });
      throw error;
    }
  }

  private overQuota(usedBytes: number): TaskErrorOf<'StorageQuotaExceeded'> {
    return {
      type: 'StorageQuotaExceeded',
      quotaBytes: this.ports.storageQuota.bytesPerUser,
      usedBytes,
    };
  }

  /** The row failed, so the blob must go too; if even that fails, it is reported, not hidden. */
  private async forget(key: string, userId: string): Promise<void> {
    try {
      await this.ports.files.delete(key);
    } catch (error) {
      this.ports.failures.report(error, { operation: 'attachment.discard_blob', userId });
    }
  }
}

/** Tells the sender we will not read the rest; a stream that cannot be cancelled is no matter. */
async function discardBody(body: ReadableStream<Uint8Array>): Promise<void> {
  await body.cancel().catch(() => undefined);
}
