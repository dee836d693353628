import { ResultAsync } from 'neverthrow';
import type { NotificationsPorts, SessionPrincipal } from '../ports.ts';

type Ports = Pick<NotificationsPorts, 'liveSessions'>;

/**
 * Which of the open sockets' sessions may no longer receive: revoked, expired, or their user
 * deactivated. One call answers for many sessions, so a gateway checks all of its sockets often.
 */
export class CheckLiveSession {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  /** The session ids that ended. */
  execute(principals: readonly SessionPrincipal[]): ResultAsync<string[], never> {
    if (principals.length === 0) return ResultAsync.fromSafePromise(Promise.resolve([]));
    return ResultAsync.fromSafePromise(this.ports.liveSessions.endedAmong(principals));
  }
}
