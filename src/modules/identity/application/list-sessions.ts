import { ResultAsync } from 'neverthrow';
import type { Session } from '../domain/session.ts';
import type { AuthenticatedPrincipal } from './authenticate.ts';
import type { IdentityPorts } from './ports.ts';

export interface ListSessionsInput {
  principal: AuthenticatedPrincipal;
}

export interface SessionView extends Session {
  /** The session the request was made with. */
  current: boolean;
}

type Ports = Pick<IdentityPorts, 'sessions' | 'clock'>;

/** The caller's live sessions, so they can spot and end one they do not recognise. */
export class ListSessions {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: ListSessionsInput): ResultAsync<{ items: SessionView[] }, never> {
    return ResultAsync.fromSafePromise(this.list(input));
  }

  private async list({ principal }: ListSessionsInput): Promise<{ items: SessionView[] }> {
    const sessions = await this.ports.sessions.listActiveForUser(
      principal.userId,
      this.ports.clock.now(),
    );
    return {
      items: sessions.map((session) => ({
        ...session,
        current: session.id === principal.sessionId,
      })),
    };
  }
}
