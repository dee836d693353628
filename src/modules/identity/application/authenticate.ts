import { err, ok, ResultAsync, type Result } from 'neverthrow';
import {
  isAccessTokenUsable,
  lastUseIsStale,
  LAST_USED_PRECISION_SECONDS,
  looksLikeAccessToken,
  type AccessTokenScope,
} from '../domain/access-token.ts';
import type { IdentityErrorOf } from '../domain/identity.errors.ts';
import type { Role } from '../domain/role.ts';
import { LiveSessions } from './support/live-sessions.ts';
import type { IdentityPorts } from './ports.ts';

/**
 * A user acting through a signed-in session: the input of the use cases that only a session may
 * call (sessions, password, profile changes, administration).
 */
export interface AuthenticatedPrincipal {
  userId: string;
  sessionId: string;
  /** The role when the access token was issued; admin use cases re-read the stored role. */
  role: Role;
}

/** Who is calling: a session (a JWT from login or refresh) or a personal access token. */
export type Caller =
  | ({ kind: 'session' } & AuthenticatedPrincipal)
  | {
      kind: 'token';
      userId: string;
      tokenId: string;
      scopes: readonly AccessTokenScope[];
      /** The stored role, read with the token. */
      role: Role;
    };

export interface AuthenticateInput {
  token: string;
  /**
   * Work for the token's user (a rate-limit count), started as soon as the caller's user is
   * known: for a JWT once its signature and claims check out, alongside the session lookup, so
   * both share one round trip. Its result matters only when the caller does; it runs for a signed
   * token of a revoked session too.
   */
  alongside?: (userId: string) => Promise<unknown>;
}

export type AuthenticateError = IdentityErrorOf<'Unauthenticated'>;

type Ports = Pick<
  IdentityPorts,
  | 'accessTokens'
  | 'personalTokens'
  | 'secretTokens'
  | 'sessionStatus'
  | 'sessions'
  | 'users'
  | 'clock'
  | 'failures'
>;

/**
 * Turns a bearer credential into a caller: a session's JWT, refused when the session is revoked or
 * the user disabled, or a personal access token (`tmk_…`), refused when revoked, expired or its
 * user disabled.
 */
export class Authenticate {
  private readonly ports: Ports;
  private readonly liveSessions: LiveSessions;

  constructor(ports: Ports) {
    this.ports = ports;
    this.liveSessions = new LiveSessions(ports);
  }

  execute(input: AuthenticateInput): ResultAsync<Caller, AuthenticateError> {
    return new ResultAsync(
      looksLikeAccessToken(input.token) ? this.byAccessToken(input) : this.bySession(input),
    );
  }

  private async bySession(input: AuthenticateInput): Promise<Result<Caller, AuthenticateError>> {
    const now = this.ports.clock.now();
    const claims = await this.ports.accessTokens.verify(input.token, now);
    if (!claims) return err({ type: 'Unauthenticated' });
    const alongside = input.alongside?.(claims.userId);
    const active = await this.liveSessions.isLive(claims, now);
    // Settled either way, so a failure there is never an unhandled rejection; the caller reads it.
    await alongside?.catch(() => undefined);
    if (!active) return err({ type: 'Unauthenticated' });
    return ok({
      kind: 'session',
      userId: claims.userId,
      sessionId: claims.sessionId,
      role: claims.role,
    });
  }

  /**
   * One read by the secret's hash, every time: the database is the truth, so a revocation (or a
   * deactivation) holds from the next request on, on every instance, with no cache to clear.
   */
  private async byAccessToken(
    input: AuthenticateInput,
  ): Promise<Result<Caller, AuthenticateError>> {
    const { ports } = this;
    const found = await ports.personalTokens.findBySecretHash(ports.secretTokens.hash(input.token));
    const now = ports.clock.now();
    if (!found || !found.userActive || !isAccessTokenUsable(found.token, now)) {
      return err({ type: 'Unauthenticated' });
    }
    const { token } = found;
    await input.alongside?.(token.userId).catch(() => undefined);
    if (lastUseIsStale(token, now)) {
      // Not awaited: the answer does not depend on it, and a lost write only makes the time older.
      void ports.personalTokens
        .recordUse(token.id, now, LAST_USED_PRECISION_SECONDS)
        .catch((error: unknown) =>
          ports.failures.report(error, { operation: 'accessTokens.recordUse' }),
        );
    }
    return ok({
      kind: 'token',
      userId: token.userId,
      tokenId: token.id,
      scopes: token.scopes,
      role: found.role,
    });
  }
}
