import type { EntityManager } from '@mikro-orm/postgresql';
import type { Selectable } from 'kysely';
import type { AccessTokenRepository } from '../../application/ports.ts';
import type { AccessToken, AccessTokenScope } from '../../domain/access-token.ts';
import type { Role } from '../../domain/role.ts';
import {
  rowsOf,
  StatementCache,
  type OnTheWireRow,
} from '../../../../shared/infra/typed-statements.ts';
import { identityDb, type IdentityDb } from './identity-db.ts';
import { AccessTokenRecord } from './identity.entities.ts';

/** The columns an `AccessToken` is made of, read through the alias `t`. */
const TOKEN_COLUMNS = [
  't.id',
  't.user_id',
  't.name',
  't.scopes',
  't.prefix',
  't.created_at',
  't.last_used_at',
  't.expires_at',
  't.revoked_at',
] as const;

type TokenRow = OnTheWireRow<
  Pick<
    Selectable<IdentityDb['access_tokens']>,
    (typeof TOKEN_COLUMNS)[number] extends `t.${infer C}`
      ? C & keyof IdentityDb['access_tokens']
      : never
  >
>;

/** Personal access tokens in `access_tokens`; the secret's hash is the lookup key. */
export class MikroOrmAccessTokenRepository implements AccessTokenRepository {
  private readonly em: EntityManager;

  constructor(em: EntityManager) {
    this.em = em;
  }

  async insertWithinLimit(token: AccessToken, secretHash: string, limit: number): Promise<boolean> {
    return this.em.transactional(async (em) => {
      const db = identityDb(em);
      // The user's row, locked: concurrent creations for one user count one after the other.
      const owner = await db
        .selectFrom('users')
        .select('id')
        .where('id', '=', token.userId)
        .forUpdate()
        .executeTakeFirst();
      if (!owner) return false;
      const { live } = await db
        .selectFrom('access_tokens')
        .select((eb) => eb.fn.countAll<string>().as('live'))
        .where('user_id', '=', token.userId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', token.createdAt)
        .executeTakeFirstOrThrow();
      if (Number(live) >= limit) return false;
      await em.insert(AccessTokenRecord, {
        id: token.id,
        user: token.userId,
        name: token.name,
        scopes: [...token.scopes],
        tokenHash: secretHash,
        prefix: token.prefix,
        createdAt: token.createdAt,
        lastUsedAt: token.lastUsedAt ?? null,
        expiresAt: token.expiresAt,
        revokedAt: token.revokedAt ?? null,
      });
      return true;
    });
  }

  async listForUser(userId: string): Promise<AccessToken[]> {
    const rows = await rowsOf(
      this.em,
      identityDb(this.em)
        .selectFrom('access_tokens as t')
        .select(TOKEN_COLUMNS)
        .where('t.user_id', '=', userId)
        .where('t.revoked_at', 'is', null)
        .orderBy('t.created_at', 'desc')
        .orderBy('t.id', 'desc'),
    );
    return rows.map(toAccessToken);
  }

  async findBySecretHash(
    secretHash: string,
  ): Promise<{ token: AccessToken; userActive: boolean; role: Role } | undefined> {
    // Every request with a token runs it: compiled once, a named statement on the pool.
    const [row] = await rowsOf(
      this.em,
      bySecretStatements.bind('access-tokens-by-secret', { secretHash }, (v) =>
        identityDb(this.em)
          .selectFrom('access_tokens as t')
          .innerJoin('users as u', 'u.id', 't.user_id')
          .select([...TOKEN_COLUMNS, 'u.is_active', 'u.role'])
          .where('t.token_hash', '=', v.secretHash),
      ),
    );
    if (!row) return undefined;
    return { token: toAccessToken(row), userActive: row.is_active, role: row.role as Role };
  }

  async revoke(userId: string, tokenId: string, now: Date): Promise<boolean> {
    const revoked = await this.em.nativeUpdate(
      AccessTokenRecord,
      { id: tokenId, user: userId, revokedAt: null },
      { revokedAt: now },
    );
    return revoked === 1;
  }

  async revokeAllForUser(userId: string, now: Date): Promise<number> {
    return this.em.nativeUpdate(
      AccessTokenRecord,
      { user: userId, revokedAt: null },
      { revokedAt: now },
    );
  }

  async recordUse(tokenId: string, now: Date, precisionSeconds: number): Promise<void> {
    const staleBefore = new Date(now.getTime() - precisionSeconds * 1000);
    await identityDb(this.em)
      .updateTable('access_tokens')
      .set({ last_used_at: now })
      .where('id', '=', tokenId)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', staleBefore)]))
      .execute();
  }
}

const bySecretStatements = new StatementCache<{ secretHash: string }>();

function toAccessToken(row: TokenRow): AccessToken {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    scopes: row.scopes as AccessTokenScope[],
    prefix: row.prefix,
    createdAt: new Date(row.created_at),
    lastUsedAt: row.last_used_at === null ? undefined : new Date(row.last_used_at),
    expiresAt: new Date(row.expires_at),
    revokedAt: row.revoked_at === null ? undefined : new Date(row.revoked_at),
  };
}
