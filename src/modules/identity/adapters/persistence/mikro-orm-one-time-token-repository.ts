import type { EntityManager } from '@mikro-orm/postgresql';
import type { OneTimeTokenPurpose, OneTimeTokenRepository } from '../../application/ports.ts';
import { identityDb } from './identity-db.ts';
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
    await this.em.insert(OneTimeTokenRecord, {
      id: token.id,
      user: token.userId,
      purpose: token.purpose,
      tokenHash: token.hash,
      expiresAt: token.expiresAt,
      usedAt: null,
      createdAt: token.createdAt,
    });
  }

  async peek(purpose: OneTimeTokenPurpose, hash: string, now: Date): Promise<string | undefined> {
    const row = await identityDb(this.em)
      .selectFrom('one_time_tokens')
      .select('user_id')
      .where('token_hash', '=', hash)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row?.user_id;
  }

  /** One conditional UPDATE: two concurrent uses of the same token cannot both succeed. */
  async consume(
    purpose: OneTimeTokenPurpose,
    hash: string,
    now: Date,
  ): Promise<string | undefined> {
    const row = await identityDb(this.em)
      .updateTable('one_time_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', hash)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('user_id')
      .executeTakeFirst();
    return row?.user_id;
  }

  async invalidateAll(userId: string, purpose: OneTimeTokenPurpose, now: Date): Promise<void> {
    await this.em.nativeUpdate(
      OneTimeTokenRecord,
      { user: userId, purpose, usedAt: null },
      { usedAt: now },
    );
  }
}
