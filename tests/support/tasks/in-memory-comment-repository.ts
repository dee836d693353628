import type { CommentRepository } from '../../../src/modules/tasks/application/ports.ts';
import { Comment, type CommentProps } from '../../../src/modules/tasks/domain/comment.ts';
import type { InMemoryTasksDb } from './in-memory-tasks-db.ts';

export class InMemoryCommentRepository implements CommentRepository {
  private readonly db: InMemoryTasksDb;

  constructor(db: InMemoryTasksDb) {
    this.db = db;
  }

  async insert(comment: Comment): Promise<void> {
    this.inTransaction();
    this.db.tables.comments.set(comment.id, comment.toProps());
  }

  async findInTask(taskId: string, commentId: string): Promise<Comment | undefined> {
    const row = this.db.tables.comments.get(commentId);
    return row?.taskId === taskId ? Comment.restore(row) : undefined;
  }

  async update(comment: Comment): Promise<void> {
    this.inTransaction();
    if (!this.db.tables.comments.has(comment.id)) throw new Error(`unknown ${comment.id}`);
    this.db.tables.comments.set(comment.id, comment.toProps());
  }

  async delete(commentId: string): Promise<void> {
    this.inTransaction();
    this.db.tables.comments.delete(commentId);
  }

  async authorsOf(taskId: string): Promise<string[]> {
    const authors = [...this.db.tables.comments.values()]
      .filter((comment) => comment.taskId === taskId)
      .map((comment) => comment.authorId);
    return [...new Set(authors)];
  }

  async listForTask(taskId: string, window: { offset: number; limit: number }) {
    const rows = [...this.db.tables.comments.values()]
      .filter((row) => row.taskId === taskId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
    return {
      items: rows.slice(window.offset, window.offset + window.limit).map((r) => Comment.restore(r)),
      total: rows.length,
    };
  }

  /** Every comment write is decided under locks that only a transaction holds. */
  private inTransaction(): void {
    if (this.db.openTransactions === 0) throw new Error('comment write outside a transaction');
  }

  /** Seeds a comment directly. */
  add(comment: Comment): Comment {
    this.db.tables.comments.set(comment.id, comment.toProps());
    return comment;
  }

  stored(commentId: string): CommentProps | undefined {
    const row = this.db.tables.comments.get(commentId);
    return row && { ...row };
  }
}
