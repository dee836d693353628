import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { IdentityErrorOf } from '../domain/identity.errors.ts';
import { isSessionLive } from '../domain/session.ts';
import type { AuthenticatedPrincipal } from './authenticate.ts';
import type { IdentityPorts } from './ports.ts';
import { revokeSession } from './support/revocations.ts';

export interface RevokeSessionInput {
  principal: AuthenticatedPrincipal;
  sessionId: string;
}

export type RevokeSessionError = IdentityErrorOf<'SessionNotFound'>;

type Ports = Pick<IdentityPorts, 'sessions' | 'sessionStatus' | 'clock'>;

/** Ends one of the caller's own sessions; anyone else's is reported as not found, never as forbidden. */
export class RevokeSession {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: RevokeSessionInput): ResultAsync<void, RevokeSessionError> {
    return new ResultAsync(this.revoke(input));
  }

  private async revoke(input: RevokeSessionInput): Promise<Result<void, RevokeSessionError>> {
    const now = this.ports.clock.now();
    const session = await this.ports.sessions.findById(input.sessionId);
    if (!session || session.userId !== input.principal.userId || !isSessionLive(session, now)) {
      return err({ type: 'SessionNotFound' });
    }
    await revokeSession(this.ports, session.id, now);
    return ok(undefined);
  }
}
