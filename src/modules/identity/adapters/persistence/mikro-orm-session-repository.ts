import type { EntityManager } from '@mikro-orm/postgresql';
import type { SessionRepository } from '../../application/ports.ts';
import type { RefreshTokenStanding, Session } from '../../domain/session.ts';
import { RefreshTokenRecord, SessionRecord } from './identity.entities.ts';

type SessionRow = InstanceType<typeof SessionRecord.class>;

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
        ...session,
        currentRefreshHash: firstRefreshTokenHash,
        revokedAt: session.revokedAt ?? null,
        userAgent: session.userAgent ?? null,
        ip: session.ip ?? null,
      });
      await em.insert(RefreshTokenRecord, {
        tokenHash: firstRefreshTokenHash,
        sessionId: session.id,
        createdAt: session.createdAt,
        rotatedAt: null,
        replacedByHash: null,
      });
    });
  }

  async findById(id: string): Promise<Session | undefined> {
    const row = await this.em.findOne(SessionRecord, { id }, { disableIdentityMap: true });
    return row ? toSession(row) : undefined;
  }

  async findByRefreshTokenHash(
    hash: string,
  ): Promise<{ session: Session; standing: RefreshTokenStanding } | undefined> {
    // One statement, so the token row and its session come from the same snapshot: read apart, a
    // concurrent rotation committing in between made a just-rotated token look like an old one
    // (reuse) and revoked the session.
    const rows = await this.em.execute<Array<SessionSqlRow & TokenSqlRow>>(
      `select s.id, s.user_id, s.current_refresh_hash, s.created_at, s.last_used_at, s.expires_at,
              s.revoked_at, s.user_agent, s.ip, t.rotated_at, t.replaced_by_hash
         from refresh_tokens t join sessions s on s.id = t.session_id
        where t.token_hash = ?`,
      [hash],
    );
    const row = rows[0];
    if (!row) return undefined;
    let standing: RefreshTokenStanding = { kind: 'older' };
    if (row.current_refresh_hash === hash) standing = { kind: 'current' };
    else if (row.rotated_at !== null && row.replaced_by_hash === row.current_refresh_hash) {
      standing = { kind: 'previous', rotatedAt: asDate(row.rotated_at) };
    }
    return {
      session: {
        id: row.id,
        userId: row.user_id,
        createdAt: asDate(row.created_at),
        lastUsedAt: asDate(row.last_used_at),
        expiresAt: asDate(row.expires_at),
        revokedAt: row.revoked_at === null ? undefined : asDate(row.revoked_at),
        userAgent: row.user_agent ?? undefined,
        ip: row.ip ?? undefined,
      },
      standing,
    };
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
        sessionId,
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
    const rows = await this.em.execute<Array<{ id: string }>>(
      `update sessions set revoked_at = ? where user_id = ? and revoked_at is null${
        exceptSessionId ? ' and id <> ?' : ''
      } returning id`,
      exceptSessionId ? [now, userId, exceptSessionId] : [now, userId],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Of `sessionIds`, those neither revoked nor expired whose user is active, with their user. Raw
   * SQL: one join over both tables answers a whole gateway's sockets in one round trip.
   */
  async liveAmong(sessionIds: readonly string[], now: Date): Promise<Map<string, string>> {
    if (sessionIds.length === 0) return new Map();
    const rows = await this.em.execute<Array<{ id: string; user_id: string }>>(
      `select s.id, s.user_id from sessions s join users u on u.id = s.user_id
        where s.id = any(?::uuid[]) and s.revoked_at is null and s.expires_at > ? and u.is_active`,
      [`{${sessionIds.join(',')}}`, now],
    );
    return new Map(rows.map((row) => [row.id, row.user_id]));
  }

  async listActiveForUser(userId: string, now: Date): Promise<Session[]> {
    const rows = await this.em.find(
      SessionRecord,
      { userId, revokedAt: null, expiresAt: { $gt: now } },
      { orderBy: { lastUsedAt: 'desc', id: 'desc' }, disableIdentityMap: true },
    );
    return rows.map(toSession);
  }
}

function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    userId: row.userId,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt ?? undefined,
    userAgent: row.userAgent ?? undefined,
    ip: row.ip ?? undefined,
  };
}

interface SessionSqlRow {
  id: string;
  user_id: string;
  current_refresh_hash: string;
  created_at: Date | string;
  last_used_at: Date | string;
  expires_at: Date | string;
  revoked_at: Date | string | null;
  user_agent: string | null;
  ip: string | null;
}

interface TokenSqlRow {
  rotated_at: Date | string | null;
  replaced_by_hash: string | null;
}

const asDate = (value: Date | string) => (value instanceof Date ? value : new Date(value));
