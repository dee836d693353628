import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { IdentityErrorOf } from '../domain/identity.errors.ts';
import { isSessionLive, judgeRefresh } from '../domain/session.ts';
import type { IdentityPorts } from './ports.ts';
import { revokeSession } from './support/revocations.ts';
import type { SessionTokens } from './support/start-session.ts';

export interface RefreshSessionInput {
  refreshToken: string;
}

export type RefreshSessionError = IdentityErrorOf<'InvalidRefreshToken'>;

type Ports = Pick<
  IdentityPorts,
  'sessions' | 'users' | 'secretTokens' | 'accessTokens' | 'sessionStatus' | 'clock'
>;

/**
 * Rotates a refresh token. A token rotated moments ago is a client that lost a race (401, the
 * session lives); any other stale token is treated as stolen and ends the whole session.
 */
export class RefreshSession {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: RefreshSessionInput): ResultAsync<SessionTokens, RefreshSessionError> {
    return new ResultAsync(this.refresh(input));
  }

  private async refresh(
    input: RefreshSessionInput,
  ): Promise<Result<SessionTokens, RefreshSessionError>> {
    const { ports } = this;
    const now = ports.clock.now();
    const presentedHash = ports.secretTokens.hash(input.refreshToken);
    const found = await ports.sessions.findByRefreshTokenHash(presentedHash);
    if (!found || !isSessionLive(found.session, now)) return invalid();
    const { session, standing } = found;

    const verdict = judgeRefresh(standing, now);
    if (verdict === 'grace') return invalid();
    if (verdict === 'reuse') {
      await revokeSession(ports, session.id, now);
      return invalid();
    }

    const user = await ports.users.findById(session.userId);
    if (!user?.isActive) {
      await revokeSession(ports, session.id, now);
      return invalid();
    }
    const refreshToken = ports.secretTokens.generate();
    const rotated = await ports.sessions.rotate(
      session.id,
      presentedHash,
      ports.secretTokens.hash(refreshToken),
      now,
    );
    // A concurrent refresh rotated first and its client holds the live token: the grace case.
    if (!rotated) return invalid();
    await ports.sessions.touch(session.id, now);

    // The role is read afresh, so a promotion or demotion shows in the next access token.
    const access = await ports.accessTokens.issue(
      { userId: user.id, sessionId: session.id, role: user.role },
      now,
    );
    return ok({ accessToken: access.token, refreshToken, expiresIn: access.expiresIn });
  }
}

function invalid(): Result<never, RefreshSessionError> {
  return err({ type: 'InvalidRefreshToken' });
}
