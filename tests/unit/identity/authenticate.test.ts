import { beforeEach, describe, expect, it } from 'vitest';
import { Authenticate } from '../../../src/modules/identity/application/authenticate.ts';
import { aUser } from '../../support/identity/builders.ts';
import { identityTestbed, type IdentityTestbed } from '../../support/identity/identity-testbed.ts';

describe('Authenticate', () => {
  let bed: IdentityTestbed;
  let authenticate: Authenticate;

  beforeEach(() => {
    bed = identityTestbed();
    authenticate = new Authenticate(bed.ports);
  });

  it('turns a valid access token of a live session into the principal', async () => {
    const user = bed.users.add(aUser({ role: 'admin' }));
    const { accessToken, sessionId } = await bed.openSession(user);

    const result = await authenticate.execute({ token: accessToken });

    expect(result._unsafeUnwrap()).toEqual({
      kind: 'session',
      userId: user.id,
      sessionId,
      role: 'admin',
    });
  });

  it('starts the work alongside for the user of the token once the token checks out, and not for a forged one', async () => {
    const user = bed.users.add(aUser());
    const { accessToken } = await bed.openSession(user);
    const started: string[] = [];
    const alongside = async (userId: string) => {
      started.push(userId);
    };

    expect((await authenticate.execute({ token: accessToken, alongside })).isOk()).toBe(true);
    expect((await authenticate.execute({ token: 'forged', alongside })).isErr()).toBe(true);
    expect(started).toEqual([user.id]);
  });

  it('answers the session check even when the work alongside fails', async () => {
    const user = bed.users.add(aUser());
    const { accessToken } = await bed.openSession(user);
    const result = await authenticate.execute({
      token: accessToken,
      alongside: () => Promise.reject(new Error('redis down')),
    });
    expect(result._unsafeUnwrap().userId).toBe(user.id);
  });

  it('rejects a token the token service does not recognise', async () => {
    const result = await authenticate.execute({ token: 'forged' });
    expect(result._unsafeUnwrapErr()).toEqual({ type: 'Unauthenticated' });
  });

  it('rejects an expired access token', async () => {
    const { accessToken } = await bed.openSession(bed.users.add(aUser()));
    bed.clock.advance(30 * 60_000);
    expect((await authenticate.execute({ token: accessToken })).isErr()).toBe(true);
  });

  it('rejects the token of a revoked session at once, even after it was cached as active', async () => {
    const { accessToken, sessionId } = await bed.openSession(bed.users.add(aUser()));
    expect((await authenticate.execute({ token: accessToken })).isOk()).toBe(true);

    await bed.sessions.revoke(sessionId, bed.clock.now());
    await bed.sessionStatus.markRevoked([sessionId]);

    expect((await authenticate.execute({ token: accessToken }))._unsafeUnwrapErr()).toEqual({
      type: 'Unauthenticated',
    });
  });

  it('rejects a token whose session is gone or belongs to someone else', async () => {
    const user = bed.users.add(aUser());
    const other = bed.users.add(aUser());
    const { sessionId } = await bed.openSession(other);
    const mismatched = await bed.accessTokens.issue(
      { userId: user.id, sessionId, role: 'user' },
      bed.clock.now(),
    );
    const orphan = await bed.accessTokens.issue(
      { userId: user.id, sessionId: 'no-such-session', role: 'user' },
      bed.clock.now(),
    );

    expect((await authenticate.execute({ token: mismatched.token })).isErr()).toBe(true);
    expect((await authenticate.execute({ token: orphan.token })).isErr()).toBe(true);
  });

  it('rejects the token of a deactivated or vanished user whose session is not cached yet', async () => {
    const deactivated = await bed.openSession(bed.users.add(aUser({ isActive: false })));
    const vanished = await bed.openSession(aUser());
    expect((await authenticate.execute({ token: deactivated.accessToken })).isErr()).toBe(true);
    expect((await authenticate.execute({ token: vanished.accessToken })).isErr()).toBe(true);
  });
});
