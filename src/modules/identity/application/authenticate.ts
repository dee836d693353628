import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { IdentityErrorOf } from '../domain/identity.errors.ts';
import type { Role } from '../domain/role.ts';
import { LiveSessions } from './support/live-sessions.ts';
import type { IdentityPorts } from './ports.ts';

/** Who is calling: the input of every use case that acts on behalf of a signed-in user. */
export interface AuthenticatedPrincipal {
  userId: string;
  sessionId: string;
  /** The role when the access token was issued; admin use cases re-read the stored role. */
  role: Role;
}

export interface AuthenticateInput {
  token: string;
  /**
   * Work for the token's user (a rate-limit count), started as soon as the token's signature and
   * claims check out, alongside the session lookup, so both share one round trip. Its result
   * matters only when the principal does; it runs for a signed token of a revoked session too.
   */
  alongside?: (userId: string) => Promise<unknown>;
}

export type AuthenticateError = IdentityErrorOf<'Unauthenticated'>;

type Ports = Pick<IdentityPorts, 'accessTokens' | 'sessionStatus' | 'sessions' | 'users' | 'clock'>;

/** Turns a bearer token into a principal, refusing tokens of revoked sessions or disabled users. */
export class Authenticate {
  private readonly ports: Ports;
  private readonly liveSessions: LiveSessions;

  constructor(ports: Ports) {
    this.ports = ports;
    this.liveSessions = new LiveSessions(ports);
  }

  execute(input: AuthenticateInput): ResultAsync<AuthenticatedPrincipal, AuthenticateError> {
    return new ResultAsync(this.authenticate(input));
  }

  private async authenticate(
    input: AuthenticateInput,
  ): Promise<Result<AuthenticatedPrincipal, AuthenticateError>> {
    const now = this.ports.clock.now();
    const claims = await this.ports.accessTokens.verify(input.token, now);
    if (!claims) return err({ type: 'Unauthenticated' });
    const alongside = input.alongside?.(claims.userId);
    const active = await this.liveSessions.isLive(claims, now);
    // Settled either way, so a failure there is never an unhandled rejection; the caller reads it.
    await alongside?.catch(() => undefined);
    if (!active) return err({ type: 'Unauthenticated' });
    return ok({ userId: claims.userId, sessionId: claims.sessionId, role: claims.role });
  }
}
