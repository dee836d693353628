import type { FailureReporter } from '../../../../shared/domain/failure-reporter.ts';
import type { SessionStatusCache } from '../../application/ports.ts';

/** Where revoked session ids are announced (every instance's WebSocket gateway listens). */
export interface RevocationAnnouncer {
  publish(sessionIds: readonly string[]): Promise<void>;
}

/**
 * The session-status cache, with every revocation also announced, so the WebSocket gateways close
 * that session's sockets at once. An announcement that fails is reported, never thrown: the
 * revocation stands, and the gateways' periodic session check catches it.
 */
export class AnnouncingSessionStatus implements SessionStatusCache {
  private readonly cache: SessionStatusCache;
  private readonly announcer: RevocationAnnouncer;
  private readonly failures: FailureReporter;

  constructor(
    cache: SessionStatusCache,
    announcer: RevocationAnnouncer,
    failures: FailureReporter,
  ) {
    this.cache = cache;
    this.announcer = announcer;
    this.failures = failures;
  }

  isActive(sessionId: string, load: () => Promise<boolean>): Promise<boolean> {
    return this.cache.isActive(sessionId, load);
  }

  async markRevoked(sessionIds: string[]): Promise<void> {
    await this.cache.markRevoked(sessionIds);
    await this.announcer
      .publish(sessionIds)
      .catch((error: unknown) => this.failures.report(error, { operation: 'sessions.announce' }));
  }
}
