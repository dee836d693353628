import type { EntityManager } from '@mikro-orm/postgresql';
import type { AttachmentRepository } from '../../application/ports.ts';
import type { Attachment } from '../../domain/attachment.ts';
import { AttachmentRecord } from './tasks.entities.ts';
import { rowsOf } from '../../../../shared/infra/typed-statements.ts';
import { tasksDb } from './tasks-db.ts';

type AttachmentRow = InstanceType<typeof AttachmentRecord.class>;

export class MikroOrmAttachmentRepository implements AttachmentRepository {
  private readonly em: EntityManager;

  constructor(em: EntityManager) {
    this.em = em;
  }

  async insert(attachment: Attachment): Promise<void> {
    await this.em.insert(AttachmentRecord, { ...attachment });
  }

  async usageOf(userId: string): Promise<number> {
    // Read on every profile request: prepared (outside a transaction), so each connection keeps
    // it planned. The sum is a bigint, read as text to keep every digit.
    const rows = await rowsOf(
      this.em,
      tasksDb(this.em)
        .selectFrom('attachments')
        .select((eb) =>
          eb.cast<string>(eb.fn.coalesce(eb.fn.sum('size_bytes'), eb.lit(0)), 'text').as('used'),
        )
        .where('uploaded_by', '=', userId),
    );
    return Number(rows[0]?.used ?? 0);
  }

  async lockUsage(userId: string): Promise<number> {
    // A transaction-scoped advisory lock per uploader: no row stands for "this user's quota"
    // (users belong to identity), and it serialises only that user's inserts, nothing else.
    const key = `attachments.quota:${userId}`;
    await tasksDb(this.em)
      .selectNoFrom((eb) =>
        eb
          .fn('pg_advisory_xact_lock', [eb.fn('hashtextextended', [eb.val(key), eb.lit(0)])])
          .as('locked'),
      )
      .execute();
    return this.usageOf(userId);
  }

  async findInTask(taskId: string, attachmentId: string): Promise<Attachment | undefined> {
    const row = await this.em.findOne(
      AttachmentRecord,
      { id: attachmentId, taskId },
      { disableIdentityMap: true },
    );
    return row ? toAttachment(row) : undefined;
  }

  async delete(attachmentId: string): Promise<void> {
    await this.em.nativeDelete(AttachmentRecord, { id: attachmentId });
  }

  async listForTask(taskId: string): Promise<Attachment[]> {
    const rows = await this.em.find(
      AttachmentRecord,
      { taskId },
      { orderBy: { createdAt: 'asc', id: 'asc' }, disableIdentityMap: true },
    );
    return rows.map(toAttachment);
  }
}

function toAttachment(row: AttachmentRow): Attachment {
  return { ...row, sizeBytes: Number(row.sizeBytes) };
}
