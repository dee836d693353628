import type { EntityManager } from '@mikro-orm/postgresql';
import type { AttachmentRepository } from '../../application/ports.ts';
import type { Attachment } from '../../domain/attachment.ts';
import { AttachmentRecord } from './tasks.entities.ts';

type AttachmentRow = InstanceType<typeof AttachmentRecord.class>;

const USAGE_SQL =
  'select coalesce(sum(size_bytes), 0)::text as used from attachments where uploaded_by = ?';
/** Read on every profile request: named, so each pool connection keeps it planned. */
const USAGE_BY_UPLOADER = {
  name: 'attachments_usage_by_uploader',
  text: USAGE_SQL.replace('?', '$1'),
};

export class MikroOrmAttachmentRepository implements AttachmentRepository {
  private readonly em: EntityManager;

  constructor(em: EntityManager) {
    this.em = em;
  }

  async insert(attachment: Attachment): Promise<void> {
    await this.em.insert(AttachmentRecord, { ...attachment });
  }

  async usageOf(userId: string): Promise<number> {
    if (this.em.isInTransaction()) {
      const rows = await this.em.execute<Array<{ used: string }>>(USAGE_SQL, [userId]);
      return Number(rows[0]?.used ?? 0);
    }
    const pool = await this.em.getConnection().getNativeClient();
    const { rows } = await pool.query<{ used: string }>({ ...USAGE_BY_UPLOADER, values: [userId] });
    return Number(rows[0]?.used ?? 0);
  }

  async lockUsage(userId: string): Promise<number> {
    // A transaction-scoped advisory lock per uploader: no row stands for "this user's quota"
    // (users belong to identity), and it serialises only that user's inserts, nothing else.
    await this.em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [
      `attachments.quota:${userId}`,
    ]);
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
