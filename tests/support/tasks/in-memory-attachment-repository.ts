import type { AttachmentRepository } from '../../../src/modules/tasks/application/ports.ts';
import type { Attachment } from '../../../src/modules/tasks/domain/attachment.ts';
import type { InMemoryTasksDb } from './in-memory-tasks-db.ts';

export class InMemoryAttachmentRepository implements AttachmentRepository {
  private readonly db: InMemoryTasksDb;
  private failure: Error | undefined;

  constructor(db: InMemoryTasksDb) {
    this.db = db;
  }

  /** Inserts and deletes are decided under locks that only a transaction holds. */
  async insert(attachment: Attachment): Promise<void> {
    const failure = this.failure;
    this.failure = undefined;
    if (failure) throw failure;
    if (this.db.openTransactions === 0) throw new Error('attachment insert outside a transaction');
    this.db.tables.attachments.set(attachment.id, { ...attachment });
  }

  async usageOf(userId: string): Promise<number> {
    return [...this.db.tables.attachments.values()]
      .filter((row) => row.uploadedBy === userId)
      .reduce((sum, row) => sum + row.sizeBytes, 0);
  }

  /** Unit tests run one upload at a time; the lock is PostgreSQL's, tested against it. */
  async lockUsage(userId: string): Promise<number> {
    return this.usageOf(userId);
  }

  async findInTask(taskId: string, attachmentId: string): Promise<Attachment | undefined> {
    const row = this.db.tables.attachments.get(attachmentId);
    return row?.taskId === taskId ? { ...row } : undefined;
  }

  async delete(attachmentId: string): Promise<void> {
    if (this.db.openTransactions === 0) throw new Error('attachment delete outside a transaction');
    this.db.tables.attachments.delete(attachmentId);
  }

  async listForTask(taskId: string): Promise<Attachment[]> {
    return [...this.db.tables.attachments.values()]
      .filter((row) => row.taskId === taskId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id))
      .map((row) => ({ ...row }));
  }

  /** Seeds an attachment row directly. */
  add(attachment: Attachment): Attachment {
    this.db.tables.attachments.set(attachment.id, { ...attachment });
    return attachment;
  }

  has(attachmentId: string): boolean {
    return this.db.tables.attachments.has(attachmentId);
  }

  count(): number {
    return this.db.tables.attachments.size;
  }

  failNextInsert(error = new Error('database unavailable')): void {
    this.failure = error;
  }
}
