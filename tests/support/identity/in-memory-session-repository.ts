import type { SessionRepository } from '../../../src/modules/identity/application/ports.ts';
import type {
  RefreshTokenStanding,
  Session,
} from '../../../src/modules/identity/domain/session.ts';
import { isSessionLive } from '../../../src/modules/identity/domain/session.ts';

interface Row {
  session: Session;
  /** Every refresh-token hash the session was issued, oldest first, with when each was issued. */
  chain: Array<{ hash: string; issuedAt: Date }>;
}

export class InMemorySessionRepository implements SessionRepository {
  private readonly rows = new Map<string, Row>();
  private concurrentWinner: string | undefined;
  /** Whether a user's account is active (the stored user's flag); every user by default. */
  private readonly userIsActive: (userId: string) => Promise<boolean>;

  constructor(userIsActive: (userId: string) => Promise<boolean> = async () => true) {
    this.userIsActive = userIsActive;
  }

  async liveAmong(sessionIds: readonly string[], now: Date): Promise<Map<string, string>> {
    const live = new Map<string, string>();
    for (const id of sessionIds) {
      const session = this.rows.get(id)?.session;
      if (session && isSessionLive(session, now) && (await this.userIsActive(session.userId))) {
        live.set(id, session.userId);
      }
    }
    return live;
  }

  async insert(session: Session, firstRefreshTokenHash: string): Promise<void> {
    this.rows.set(session.id, {
      session: { ...session },
      chain: [{ hash: firstRefreshTokenHash, issuedAt: session.createdAt }],
    });
  }

  async findById(id: string): Promise<Session | undefined> {
    const row = this.rows.get(id);
    return row && { ...row.session };
  }

  async findByRefreshTokenHash(
    hash: string,
  ): Promise<{ session: Session; standing: RefreshTokenStanding } | undefined> {
    for (const row of this.rows.values()) {
      const index = row.chain.findIndex((link) => link.hash === hash);
      if (index === -1) continue;
      const last = row.chain.length - 1;
      const successor = row.chain[index + 1];
      const standing: RefreshTokenStanding =
        index === last
          ? { kind: 'current' }
          : index === last - 1 && successor
            ? { kind: 'previous', rotatedAt: successor.issuedAt }
            : { kind: 'older' };
      return { session: { ...row.session }, standing };
    }
    return undefined;
  }

  async rotate(
    sessionId: string,
    expectedCurrentHash: string,
    nextHash: string,
    now: Date,
  ): Promise<boolean> {
    const row = this.rows.get(sessionId);
    if (row && this.concurrentWinner) {
      row.chain.push({ hash: this.concurrentWinner, issuedAt: now });
    }
    this.concurrentWinner = undefined;
    if (!row || row.session.revokedAt || row.chain.at(-1)?.hash !== expectedCurrentHash) {
      return false;
    }
    row.chain.push({ hash: nextHash, issuedAt: now });
    return true;
  }

  async touch(sessionId: string, now: Date): Promise<void> {
    const row = this.rows.get(sessionId);
    if (row) row.session.lastUsedAt = now;
  }

  async revoke(sessionId: string, now: Date): Promise<void> {
    const row = this.rows.get(sessionId);
    if (row && !row.session.revokedAt) row.session.revokedAt = now;
  }

  async revokeAllForUser(userId: string, now: Date, exceptSessionId?: string): Promise<string[]> {
    const revoked: string[] = [];
    for (const { session } of this.rows.values()) {
      if (
        session.userId !== userId ||
        session.id === exceptSessionId ||
        !isSessionLive(session, now)
      )
        continue;
      session.revokedAt = now;
      revoked.push(session.id);
    }
    return revoked;
  }

  async listActiveForUser(userId: string, now: Date): Promise<Session[]> {
    return (
      [...this.rows.values()]
        .map((row) => row.session)
        .filter((session) => session.userId === userId && isSessionLive(session, now))
        // Most recently used first, as the real list (last_used_at desc, id desc).
        .sort(
          (a, b) =>
            b.lastUsedAt.getTime() - a.lastUsedAt.getTime() ||
            (b.id < a.id ? -1 : b.id > a.id ? 1 : 0),
        )
        .map((session) => ({ ...session }))
    );
  }

  /** Makes the next `rotate` find that a concurrent refresh already rotated to `winnerHash`. */
  loseNextRotationTo(winnerHash: string): void {
    this.concurrentWinner = winnerHash;
  }
}
