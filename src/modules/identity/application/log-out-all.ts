import { ResultAsync } from 'neverthrow';
import type { AuthenticatedPrincipal } from './authenticate.ts';
import type { IdentityPorts } from './ports.ts';
import { forgetRevokedSessions } from './support/revocations.ts';

export interface LogOutAllInput {
  principal: AuthenticatedPrincipal;
}

type Ports = Pick<IdentityPorts, 'sessions' | 'sessionStatus' | 'clock'>;

/** Ends every session of the caller, the current one included. */
export class LogOutAll {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: LogOutAllInput): ResultAsync<void, never> {
    return ResultAsync.fromSafePromise(this.logOutAll(input));
  }

  private async logOutAll(input: LogOutAllInput): Promise<void> {
    const revoked = await this.ports.sessions.revokeAllForUser(
      input.principal.userId,
      this.ports.clock.now(),
    );
    await forgetRevokedSessions(this.ports, revoked);
  }
}
