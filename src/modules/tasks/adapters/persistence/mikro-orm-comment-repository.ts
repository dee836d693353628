import type { EntityManager } from '@mikro-orm/postgresql';
import type { CommentRepository } from '../../application/ports.ts';
import { Comment } from '../../domain/comment.ts';
import { tasksDb } from './tasks-db.ts';
import { CommentRecord } from './tasks.entities.ts';

type CommentRow = InstanceType<typeof CommentRecord.class>;

export class MikroOrmCommentRepository implements CommentRepository {
  private readonly em: EntityManager;

  constructor(em: EntityManager) {
    this.em = em;
  }

  async insert(comment: Comment): Promise<void> {
    await this.em.insert(CommentRecord, comment.toProps());
  }

  async findInTask(taskId: string, commentId: string): Promise<Comment | undefined> {
    const row = await this.em.findOne(
      CommentRecord,
      { id: commentId, taskId },
      { disableIdentityMap: true },
    );
    return row ? toComment(row) : undefined;
  }

  async update(comment: Comment): Promise<void> {
    const { id, body, updatedAt } = comment.toProps();
    await this.em.nativeUpdate(CommentRecord, { id }, { body, updatedAt });
  }

  async delete(commentId: string): Promise<void> {
    await this.em.nativeDelete(CommentRecord, { id: commentId });
  }

  async authorsOf(taskId: string): Promise<string[]> {
    const rows = await tasksDb(this.em)
      .selectFrom('comments')
      .select('author_id')
      .distinct()
      .where('task_id', '=', taskId)
      .execute();
    return rows.map((row) => row.author_id);
  }

  async listForTask(
    taskId: string,
    window: { offset: number; limit: number },
  ): Promise<{ items: Comment[]; total: number }> {
    const [rows, total] = await this.em.findAndCount(
      CommentRecord,
      { taskId },
      {
        orderBy: { createdAt: 'asc', id: 'asc' },
        offset: window.offset,
        limit: window.limit,
        disableIdentityMap: true,
      },
    );
    return { items: rows.map(toComment), total };
  }
}

function toComment(row: CommentRow): Comment {
  return Comment.restore({ ...row });
}
