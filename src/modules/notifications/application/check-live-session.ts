import { ResultAsync } from 'neverthrow';
import type { NotificationsPorts, SessionPrincipal } from './ports.ts';

type Ports = Pick<NotificationsPorts, 'liveSessions'>;

/** Whether an open socket's session may go on receiving: it is live and its user active. */
export class CheckLiveSession {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(principal: SessionPrincipal): ResultAsync<boolean, never> {
    return ResultAsync.fromSafePromise(this.ports.liveSessions.isLive(principal));
  }
}
