import type { EntityManager } from '@mikro-orm/postgresql';
import type { OneTimeTokenPurpose, OneTimeTokenRepository } from '../../application/ports.ts';
import { OneTimeTokenRecord } from './identity.entities.ts';

export class MikroOrmOneTimeTokenRepository implements OneTimeTokenRepository {
  private readonly em: EntityManager;

  constructor(em: EntityManager) {
    this.em = em;
  }

  async insert(token: {
    id: string;
    userId: string;
    purpose: OneTimeTokenPurpose;
    hash: string;
    expiresAt: Date;
    createdAt: Date;
  }): Promise<void> {
    const { hash, ...rest } = token;
    await this.em.insert(OneTimeTokenRecord, { ...rest, tokenHash: hash, usedAt: null });
  }

  async peek(purpose: OneTimeTokenPurpose, hash: string, now: Date): Promise<string | undefined> {
    const row = await this.em.findOne(
      OneTimeTokenRecord,
      { tokenHash: hash, purpose, usedAt: null, expiresAt: { $gt: now } },
      { disableIdentityMap: true },
    );
    return row?.userId;
  }

  /** One conditional UPDATE: two concurrent uses of the same token cannot both succeed. */
  async consume(
    purpose: OneTimeTokenPurpose,
    hash: string,
    now: Date,
  ): Promise<string | undefined> {
    const rows = await this.em.execute<Array<{ user_id: string }>>(
      `update one_time_tokens set used_at = ?
        where token_hash = ? and purpose = ? and used_at is null and expires_at > ?
        returning user_id`,
      [now, hash, purpose, now],
    );
    return rows[0]?.user_id;
  }

  async invalidateAll(userId: string, purpose: OneTimeTokenPurpose, now: Date): Promise<void> {
    await this.em.nativeUpdate(
      OneTimeTokenRecord,
      { userId, purpose, usedAt: null },
      { usedAt: now },
    );
  }
}
