import { beforeEach, describe, expect, it } from 'vitest';
import { RefreshSession } from '../../../src/modules/identity/application/refresh-session.ts';
import {
  REFRESH_GRACE_SECONDS,
  SESSION_LIFETIME_DAYS,
} from '../../../src/modules/identity/domain/session.ts';
import type { User } from '../../../src/modules/identity/domain/user.ts';
import { aUser } from '../../support/identity/builders.ts';
import { identityTestbed, type IdentityTestbed } from '../../support/identity/identity-testbed.ts';

describe('RefreshSession', () => {
  let bed: IdentityTestbed;
  let refresh: RefreshSession;
  let user: User;
  let session: Awaited<ReturnType<IdentityTestbed['openSession']>>;

  beforeEach(async () => {
    bed = identityTestbed();
    refresh = new RefreshSession(bed.ports);
    user = bed.users.add(aUser());
    session = await bed.openSession(user);
  });

  const sessionRevoked = async () =>
    (await bed.sessions.findById(session.sessionId))?.revokedAt !== undefined;

  it('rotates the refresh token and issues a new access token for the same session', async () => {
    bed.clock.advance(60_000);
    const output = (await refresh.execute({ refreshToken: session.refreshToken }))._unsafeUnwrap();

    expect(output.refreshToken).not.toBe(session.refreshToken);
    expect(output.expiresIn).toBe(1800);
    expect(bed.accessTokens.claimsOf(output.accessToken)).toEqual({
      userId: user.id,
      sessionId: session.sessionId,
      role: 'user',
    });
    expect((await bed.sessions.findById(session.sessionId))?.lastUsedAt).toEqual(bed.clock.now());
    expect((await refresh.execute({ refreshToken: output.refreshToken })).isOk()).toBe(true);
  });

  it("puts the user's current role into the new access token", async () => {
    const stored = (await bed.users.findById(user.id))!;
    stored.setRole('admin', bed.clock.now());
    await bed.users.update(stored);

    const output = (await refresh.execute({ refreshToken: session.refreshToken }))._unsafeUnwrap();

    expect(bed.accessTokens.claimsOf(output.accessToken)?.role).toBe('admin');
  });

  it('rejects an unknown refresh token', async () => {
    expect((await refresh.execute({ refreshToken: 'made-up' }))._unsafeUnwrapErr()).toEqual({
      type: 'InvalidRefreshToken',
    });
  });

  it('rejects the refresh token of a revoked or expired session', async () => {
    const other = await bed.openSession(user);
    await bed.sessions.revoke(session.sessionId, bed.clock.now());
    expect((await refresh.execute({ refreshToken: session.refreshToken })).isErr()).toBe(true);

    bed.clock.advance(SESSION_LIFETIME_DAYS * 86_400_000);
    expect((await refresh.execute({ refreshToken: other.refreshToken })).isErr()).toBe(true);
  });

  it('answers the just-rotated token within the grace window with 401 but keeps the session', async () => {
    const rotated = (await refresh.execute({ refreshToken: session.refreshToken }))._unsafeUnwrap();
    bed.clock.advance(REFRESH_GRACE_SECONDS * 1000);

    expect(
      (await refresh.execute({ refreshToken: session.refreshToken }))._unsafeUnwrapErr(),
    ).toEqual({ type: 'InvalidRefreshToken' });
    expect(await sessionRevoked()).toBe(false);
    expect((await refresh.execute({ refreshToken: rotated.refreshToken })).isOk()).toBe(true);
  });

  it('rejects a reused refresh token after the grace window and revokes the whole session', async () => {
    const rotated = (await refresh.execute({ refreshToken: session.refreshToken }))._unsafeUnwrap();
    bed.clock.advance(REFRESH_GRACE_SECONDS * 1000 + 1);

    expect((await refresh.execute({ refreshToken: session.refreshToken })).isErr()).toBe(true);
    expect(await sessionRevoked()).toBe(true);
    expect(bed.sessionStatus.isKnownRevoked(session.sessionId)).toBe(true);
    expect((await refresh.execute({ refreshToken: rotated.refreshToken })).isErr()).toBe(true);
  });

  it('treats any older token of the session as reuse, even within the grace window', async () => {
    const first = (await refresh.execute({ refreshToken: session.refreshToken }))._unsafeUnwrap();
    await refresh.execute({ refreshToken: first.refreshToken });

    expect((await refresh.execute({ refreshToken: session.refreshToken })).isErr()).toBe(true);
    expect(await sessionRevoked()).toBe(true);
  });

  it('treats losing a rotation race as the grace case: 401, and the session lives', async () => {
    bed.sessions.loseNextRotationTo(bed.secretTokens.hash('winner'));

    expect(
      (await refresh.execute({ refreshToken: session.refreshToken }))._unsafeUnwrapErr(),
    ).toEqual({ type: 'InvalidRefreshToken' });
    expect(await sessionRevoked()).toBe(false);
    expect((await refresh.execute({ refreshToken: 'winner' })).isOk()).toBe(true);
  });

  it('revokes the session when its user has been deactivated', async () => {
    const stored = (await bed.users.findById(user.id))!;
    stored.setActive(false, bed.clock.now());
    await bed.users.update(stored);

    expect((await refresh.execute({ refreshToken: session.refreshToken })).isErr()).toBe(true);
    expect(await sessionRevoked()).toBe(true);
    expect(bed.sessionStatus.isKnownRevoked(session.sessionId)).toBe(true);
  });
});
