import { ResultAsync } from 'neverthrow';
import type { AuthenticatedPrincipal } from './authenticate.ts';
import type { IdentityPorts } from './ports.ts';
import { revokeSession } from './support/revocations.ts';

export interface LogOutInput {
  principal: AuthenticatedPrincipal;
}

type Ports = Pick<IdentityPorts, 'sessions' | 'sessionStatus' | 'clock'>;

/** Ends the caller's session: its refresh token and access tokens stop working at once. */
export class LogOut {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: LogOutInput): ResultAsync<void, never> {
    return ResultAsync.fromSafePromise(
      revokeSession(this.ports, input.principal.sessionId, this.ports.clock.now()),
    );
  }
}
