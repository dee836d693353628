import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { DeleteAttachment } from '../../../src/modules/tasks/application/delete-attachment.ts';
import { DownloadAttachment } from '../../../src/modules/tasks/application/download-attachment.ts';
import { ListAttachments } from '../../../src/modules/tasks/application/list-attachments.ts';
import {
  UploadAttachment,
  type UploadAttachmentInput,
} from '../../../src/modules/tasks/application/upload-attachment.ts';
import { ATTACHMENT_MAX_BYTES } from '../../../src/modules/tasks/domain/attachment.ts';
import type { Task } from '../../../src/modules/tasks/domain/task.ts';
import { as, ASSIGNEE, inFuture, NOW, OWNER, STRANGER } from '../../support/tasks/builders.ts';
import { readAll, streamOf } from '../../support/tasks/in-memory-file-storage.ts';
import { tasksTestbed, type TasksTestbed } from '../../support/tasks/tasks-testbed.ts';

/** A body that records whether anyone read from it or cancelled it. */
function watchedBody(bytes: Uint8Array) {
  const state = { pulled: false, cancelled: false };
  const inner = streamOf(bytes);
  const reader = inner.getReader();
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        state.pulled = true;
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { body, state };
}

describe('attachments', () => {
  let bed: TasksTestbed;
  let task: Task;
  const bytes = new TextEncoder().encode('%PDF-1.7 quarterly numbers');
  const upload = (input: Partial<UploadAttachmentInput> = {}) =>
    new UploadAttachment(bed.ports).execute({
      actor: as(ASSIGNEE),
      taskId: task.id,
      filename: 'C:\\fakepath\\report.pdf',
      contentType: 'application/pdf',
      body: streamOf(bytes),
      ...input,
    });

  beforeEach(() => {
    bed = tasksTestbed();
    task = bed.seedTask({ assigneeId: ASSIGNEE });
  });

  describe('UploadAttachment', () => {
    it('stores the bytes and a row describing them, under a cleaned name', async () => {
      const attachment = (await upload())._unsafeUnwrap();

      expect(attachment).toEqual({
        id: expect.any(String),
        taskId: task.id,
        filename: 'report.pdf',
        contentType: 'application/pdf',
        sizeBytes: bytes.byteLength,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        storageKey: expect.any(String),
        uploadedBy: ASSIGNEE,
        createdAt: NOW,
      });
      expect(bed.attachments.has(attachment.id)).toBe(true);
      expect(bed.files.blobs.get(attachment.storageKey)?.bytes).toEqual(bytes);
    });

    it('accepts exactly 10 MiB and refuses a byte more, keeping nothing', async () => {
      const limit = new Uint8Array(ATTACHMENT_MAX_BYTES);
      expect((await upload({ body: streamOf(limit) })).isOk()).toBe(true);

      const result = await upload({ body: streamOf(new Uint8Array(ATTACHMENT_MAX_BYTES + 1)) });
      expect(result._unsafeUnwrapErr()).toEqual({
        type: 'FileTooLarge',
        maxBytes: ATTACHMENT_MAX_BYTES,
      });
      expect(bed.files.blobs.size).toBe(1);
      expect(bed.attachments.count()).toBe(1);
    });

    it('refuses a file declared too big for what is left of the quota before reading it', async () => {
      bed.ports.storageQuota.bytesPerUser = 1000;
      bed.seedAttachment({ taskId: task.id, uploadedBy: ASSIGNEE, sizeBytes: 900 });
      const { body, state } = watchedBody(bytes);

      const result = await upload({ body, minSizeBytes: 101 });

      expect(result._unsafeUnwrapErr()).toEqual({
        type: 'StorageQuotaExceeded',
        quotaBytes: 1000,
        usedBytes: 900,
      });
      expect(state).toEqual({ pulled: false, cancelled: true });
      expect(bed.attachments.count()).toBe(1);
    });

    it('stops a file at what is left of the quota (413 quota, not file size), keeping nothing', async () => {
      bed.ports.storageQuota.bytesPerUser = 1000;
      bed.seedAttachment({ taskId: task.id, uploadedBy: ASSIGNEE, sizeBytes: 990 });
      const blobs = bed.files.blobs.size;

      const result = await upload({ body: streamOf(new Uint8Array(11)) });

      expect(result._unsafeUnwrapErr()).toMatchObject({ type: 'StorageQuotaExceeded' });
      expect(bed.files.blobs.size).toBe(blobs);
      expect((await upload({ body: streamOf(new Uint8Array(10)) })).isOk()).toBe(true);
    });

    it('counts only what the uploader stored against their quota', async () => {
      bed.ports.storageQuota.bytesPerUser = 1000;
      bed.seedAttachment({ taskId: task.id, uploadedBy: OWNER, sizeBytes: 1000 });
      expect((await upload({ body: streamOf(new Uint8Array(1000)) })).isOk()).toBe(true);
    });

    it('answers unsupported media type when the storage finds the type contradicts the bytes', async () => {
      bed.files.refuse('image/png');
      const result = await upload({ contentType: 'image/png' });
      expect(result._unsafeUnwrapErr()).toEqual({ type: 'UnsupportedMediaType' });
      expect(bed.attachments.count()).toBe(0);
    });

    it('decides access before reading a byte: a stranger gets not found and nothing is stored', async () => {
      const { body, state } = watchedBody(bytes);

      const result = await upload({ actor: as(STRANGER), body });

      expect(result._unsafeUnwrapErr()).toEqual({ type: 'TaskNotFound', taskId: task.id });
      expect(state).toEqual({ pulled: false, cancelled: true });
      expect(bed.files.blobs.size).toBe(0);
    });

    it('deletes the stored blob when the row cannot be written, so nothing is left', async () => {
      bed.attachments.failNextInsert();

      await expect(upload()).rejects.toThrow('database unavailable');

      expect(bed.files.blobs.size).toBe(0);
      expect(bed.attachments.count()).toBe(0);
    });

    it('reports a blob it could not clean up, and still fails the upload with the cause', async () => {
      bed.attachments.failNextInsert();
      bed.files.failNextDelete();

      await expect(upload()).rejects.toThrow('database unavailable');

      expect(bed.failures.reports).toEqual([
        {
          error: expect.any(Error),
          context: { operation: 'attachment.discard_blob', userId: ASSIGNEE },
        },
      ]);
    });
  });

  it('lists the attachments of a visible task, oldest first', async () => {
    bed.seedAttachment({ taskId: task.id, filename: 'second.txt', createdAt: inFuture(2000) });
    bed.seedAttachment({ taskId: task.id, filename: 'first.txt', createdAt: inFuture(1000) });
    bed.seedAttachment({ taskId: bed.seedTask().id, filename: 'elsewhere.txt' });

    const { items } = (
      await new ListAttachments(bed.ports).execute({ actor: as(OWNER), taskId: task.id })
    )._unsafeUnwrap();
    expect(items.map((a) => a.filename)).toEqual(['first.txt', 'second.txt']);
  });

  describe('DownloadAttachment', () => {
    it('streams the stored bytes with the row that describes them', async () => {
      const stored = (await upload())._unsafeUnwrap();

      const file = (
        await new DownloadAttachment(bed.ports).execute({
          actor: as(OWNER),
          taskId: task.id,
          attachmentId: stored.id,
        })
      )._unsafeUnwrap();

      expect(file.attachment).toEqual(stored);
      expect(file.sizeBytes).toBe(bytes.byteLength);
      expect(await readAll(file.body)).toEqual(bytes);
    });

    it('answers not found for an attachment of another task, or one whose blob is gone', async () => {
      const elsewhere = bed.seedAttachment({ taskId: bed.seedTask().id });
      const orphan = bed.seedAttachment({ taskId: task.id, storageKey: 'missing' });
      for (const attachmentId of [elsewhere.id, orphan.id]) {
        const result = await new DownloadAttachment(bed.ports).execute({
          actor: as(OWNER),
          taskId: task.id,
          attachmentId,
        });
        expect(result._unsafeUnwrapErr()).toEqual({ type: 'AttachmentNotFound', attachmentId });
      }
    });
  });

  describe('DeleteAttachment', () => {
    it('lets the owner delete the assignee’s file: row and blob go', async () => {
      const attachment = bed.seedAttachment({ taskId: task.id, uploadedBy: ASSIGNEE });

      const result = await new DeleteAttachment(bed.ports).execute({
        actor: as(OWNER),
        taskId: task.id,
        attachmentId: attachment.id,
      });

      expect(result.isOk()).toBe(true);
      expect(bed.attachments.has(attachment.id)).toBe(false);
      expect(bed.files.blobs.has(attachment.storageKey)).toBe(false);
    });

    it("forbids the assignee the owner's file, which stays", async () => {
      const attachment = bed.seedAttachment({ taskId: task.id, uploadedBy: OWNER });
      const result = await new DeleteAttachment(bed.ports).execute({
        actor: as(ASSIGNEE),
        taskId: task.id,
        attachmentId: attachment.id,
      });
      expect(result._unsafeUnwrapErr()).toEqual({ type: 'Forbidden', action: 'delete_attachment' });
      expect(bed.attachments.has(attachment.id)).toBe(true);
    });

    it('keeps the deletion when the blob cannot be removed, and reports the leftover', async () => {
      const attachment = bed.seedAttachment({ taskId: task.id });
      bed.files.failNextDelete();

      const result = await new DeleteAttachment(bed.ports).execute({
        actor: as(OWNER),
        taskId: task.id,
        attachmentId: attachment.id,
      });

      expect(result.isOk()).toBe(true);
      expect(bed.attachments.has(attachment.id)).toBe(false);
      expect(bed.failures.reports[0]?.context).toEqual({
        operation: 'attachment.delete_blob',
        userId: OWNER,
      });
    });

    it('answers not found for an unknown attachment', async () => {
      const result = await new DeleteAttachment(bed.ports).execute({
        actor: as(OWNER),
        taskId: task.id,
        attachmentId: 'nope',
      });
      expect(result._unsafeUnwrapErr()).toEqual({
        type: 'AttachmentNotFound',
        attachmentId: 'nope',
      });
    });
  });
});
