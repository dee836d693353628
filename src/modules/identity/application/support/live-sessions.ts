import type { IdentityPorts } from '../ports.ts';
import { isSessionLive } from '../../domain/session.ts';

/** A user acting through one of their sessions. */
export interface SessionPrincipal {
  userId: string;
  sessionId: string;
}

/**
 * Whether a session may still act: neither revoked nor expired, belonging to the user, whose
 * account is active. Bearer authentication asks it on every request; the WebSocket gateway asks it
 * when a socket opens and, in batches, while sockets stay open.
 */
export interface LiveSessionCheck {
  /** Through the session-status cache. `now` defaults to the clock's. */
  isLive(principal: SessionPrincipal, now?: Date): Promise<boolean>;
  /**
   * The session ids among `principals` that are no longer live, read from the source of truth
   * (no cache), so a revocation whose announcement and cache write were both lost still counts.
   */
  endedAmong(principals: readonly SessionPrincipal[]): Promise<string[]>;
}

type Ports = Pick<IdentityPorts, 'sessionStatus' | 'sessions' | 'users' | 'clock'>;

/** The one rule of a live session. */
export class LiveSessions implements LiveSessionCheck {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  isLive({ userId, sessionId }: SessionPrincipal, now = this.ports.clock.now()): Promise<boolean> {
    return this.ports.sessionStatus.isActive(sessionId, async () => {
      const session = await this.ports.sessions.findById(sessionId);
      if (!session || session.userId !== userId || !isSessionLive(session, now)) return false;
      return (await this.ports.users.findById(userId))?.isActive === true;
    });
  }

  async endedAmong(principals: readonly SessionPrincipal[]): Promise<string[]> {
    if (principals.length === 0) return [];
    const live = await this.ports.sessions.liveAmong(
      principals.map((principal) => principal.sessionId),
      this.ports.clock.now(),
    );
    return principals
      .filter((principal) => live.get(principal.sessionId) !== principal.userId)
      .map((principal) => principal.sessionId);
  }
}
