import type { EntityManager } from '@mikro-orm/postgresql';
import type { Selectable } from 'kysely';
import type { SessionRepository } from '../../application/ports.ts';
import type { RefreshTokenStanding, Session } from '../../domain/session.ts';
import {
  rowsOf,
  StatementCache,
  type OnTheWireRow,
} from '../../../../shared/infra/typed-statements.ts';
import { identityDb, type IdentityDb } from './identity-db.ts';
import { RefreshTokenRecord, SessionRecord } from './identity.entities.ts';

/** A session as `rowsOf` reads it (timestamps as strings). */
type SessionRow = OnTheWireRow<
  Pick<
    Selectable<IdentityDb['sessions']>,
    (typeof SESSION_COLUMNS)[number] extends `s.${infer C}`
      ? C & keyof IdentityDb['sessions']
      : never
  >
>;

/** The columns a `Session` is made of, read through the alias `s`. */
const SESSION_COLUMNS = [
  's.id',
  's.user_id',
  's.created_at',
  's.last_used_at',
  's.expires_at',
  's.revoked_at',
  's.user_agent',
  's.ip',
] as const;

/**
 * Sessions and their refresh-token chain. The session row holds the hash of its current token;
 * `refresh_tokens` keeps every hash it was ever issued, so an old token is recognised as reuse.
 */
export class MikroOrmSessionRepository implements SessionRepository {
  private readonly em: EntityManager;

  constructor(em: EntityManager) {
    this.em = em;
  }

  async insert(session: Session, firstRefreshTokenHash: string): Promise<void> {
    await this.em.transactional(async (em) => {
      await em.insert(SessionRecord, {
        id: session.id,
        user: session.userId,
        currentRefreshHash: firstRefreshTokenHash,
        createdAt: session.createdAt,
        lastUsedAt: session.lastUsedAt,
        expiresAt: session.expiresAt,
        revokedAt: session.revokedAt ?? null,
        userAgent: session.userAgent ?? null,
        ip: session.ip ?? null,
      });
      await em.insert(RefreshTokenRecord, {
        tokenHash: firstRefreshTokenHash,
        session: session.id,
        createdAt: session.createdAt,
        rotatedAt: null,
        replacedByHash: null,
      });
    });
  }

  async findById(id: string): Promise<Session | undefined> {
    // The session-status check of every authenticated request that misses the cache: compiled
    // once, a named statement outside a transaction, the transaction's connection inside it.
    const rows = await rowsOf(
      this.em,
      byIdStatements.bind('sessions-by-id', { id }, (v) =>
        identityDb(this.em)
          .selectFrom('sessions as s')
          .select(SESSION_COLUMNS)
          .where('s.id', '=', v.id),
      ),
    );
    return rows[0] ? toSession(rows[0]) : undefined;
  }

  async findByRefreshTokenHash(
    hash: string,
  ): Promise<{ session: Session; standing: RefreshTokenStanding } | undefined> {
    // One statement, so the token row and its session come from the same snapshot: read apart, a
    // concurrent rotation committing in between made a just-rotated token look like an old one
    // (reuse) and revoked the session.
    const [row] = await rowsOf(
      this.em,
      identityDb(this.em)
        .selectFrom('refresh_tokens as t')
        .innerJoin('sessions as s', 's.id', 't.session_id')
        .select([
          ...SESSION_COLUMNS,
          's.current_refresh_hash',
          't.rotated_at',
          't.replaced_by_hash',
        ])
        .where('t.token_hash', '=', hash),
    );
    if (!row) return undefined;
    let standing: RefreshTokenStanding = { kind: 'older' };
    if (row.current_refresh_hash === hash) standing = { kind: 'current' };
    else if (row.rotated_at !== null && row.replaced_by_hash === row.current_refresh_hash) {
      standing = { kind: 'previous', rotatedAt: new Date(row.rotated_at) };
    }
    return { session: toSession(row), standing };
  }

  async rotate(
    sessionId: string,
    expectedCurrentHash: string,
    nextHash: string,
    now: Date,
  ): Promise<boolean> {
    return this.em.transactional(async (em) => {
      // The compare-and-set on the current hash is what makes concurrent refreshes safe.
      const updated = await em.nativeUpdate(
        SessionRecord,
        { id: sessionId, currentRefreshHash: expectedCurrentHash, revokedAt: null },
        { currentRefreshHash: nextHash, lastUsedAt: now },
      );
      if (updated !== 1) return false;
      await em.insert(RefreshTokenRecord, {
        tokenHash: nextHash,
        session: sessionId,
        createdAt: now,
        rotatedAt: null,
        replacedByHash: null,
      });
      await em.nativeUpdate(
        RefreshTokenRecord,
        { tokenHash: expectedCurrentHash },
        { rotatedAt: now, replacedByHash: nextHash },
      );
      return true;
    });
  }

  async touch(sessionId: string, now: Date): Promise<void> {
    await this.em.nativeUpdate(SessionRecord, { id: sessionId }, { lastUsedAt: now });
  }

  async revoke(sessionId: string, now: Date): Promise<void> {
    await this.em.nativeUpdate(
      SessionRecord,
      { id: sessionId, revokedAt: null },
      { revokedAt: now },
    );
  }

  async revokeAllForUser(userId: string, now: Date, exceptSessionId?: string): Promise<string[]> {
    const rows = await identityDb(this.em)
      .updateTable('sessions')
      .set({ revoked_at: now })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .$if(exceptSessionId !== undefined, (qb) => qb.where('id', '<>', exceptSessionId!))
      .returning('id')
      .execute();
    return rows.map((row) => row.id);
  }

  /**
   * Of `sessionIds`, those neither revoked nor expired whose user is active, with their user: one
   * join over both tables answers a whole gateway's sockets in one round trip.
   */
  async liveAmong(sessionIds: readonly string[], now: Date): Promise<Map<string, string>> {
    if (sessionIds.length === 0) return new Map();
    const rows = await identityDb(this.em)
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select(['s.id', 's.user_id'])
      // One array parameter, whatever the number of sockets.
      .where((eb) => eb('s.id', '=', eb.fn.any(eb.val([...sessionIds]))))
      .where('s.revoked_at', 'is', null)
      .where('s.expires_at', '>', now)
      .where('u.is_active', '=', true)
      .execute();
    return new Map(rows.map((row) => [row.id, row.user_id]));
  }

  async listActiveForUser(userId: string, now: Date): Promise<Session[]> {
    const rows = await rowsOf(
      this.em,
      identityDb(this.em)
        .selectFrom('sessions as s')
        .select(SESSION_COLUMNS)
        .where('s.user_id', '=', userId)
        .where('s.revoked_at', 'is', null)
        .where('s.expires_at', '>', now)
        .orderBy('s.last_used_at', 'desc')
        .orderBy('s.id', 'desc'),
    );
    return rows.map(toSession);
  }
}

const byIdStatements = new StatementCache<{ id: string }>();

function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: new Date(row.created_at),
    lastUsedAt: new Date(row.last_used_at),
    expiresAt: new Date(row.expires_at),
    revokedAt: row.revoked_at === null ? undefined : new Date(row.revoked_at),
    userAgent: row.user_agent ?? undefined,
    ip: row.ip ?? undefined,
  };
}
