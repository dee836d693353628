import { beforeEach, describe, expect, it } from 'vitest';
import { Authenticate } from '../../../src/modules/identity/application/authenticate.ts';
import { ListSessions } from '../../../src/modules/identity/application/list-sessions.ts';
import { LogOutAll } from '../../../src/modules/identity/application/log-out-all.ts';
import { LogOut } from '../../../src/modules/identity/application/log-out.ts';
import { RevokeSession } from '../../../src/modules/identity/application/revoke-session.ts';
import type { User } from '../../../src/modules/identity/domain/user.ts';
import { aUser } from '../../support/identity/builders.ts';
import { identityTestbed, type IdentityTestbed } from '../../support/identity/identity-testbed.ts';

describe('session management', () => {
  let bed: IdentityTestbed;
  let authenticate: Authenticate;
  let user: User;
  let current: Awaited<ReturnType<IdentityTestbed['openSession']>>;
  let other: Awaited<ReturnType<IdentityTestbed['openSession']>>;

  beforeEach(async () => {
    bed = identityTestbed();
    authenticate = new Authenticate(bed.ports);
    user = bed.users.add(aUser());
    current = await bed.openSession(user);
    other = await bed.openSession(user);
    // Both sessions are cached as active, so only an explicit cache update can end them early.
    await authenticate.execute({ token: current.accessToken });
    await authenticate.execute({ token: other.accessToken });
  });

  const works = async (accessToken: string) =>
    (await authenticate.execute({ token: accessToken })).isOk();

  describe('LogOut', () => {
    it('revokes the current session so its access token stops working at once', async () => {
      expect((await new LogOut(bed.ports).execute({ principal: current.principal })).isOk()).toBe(
        true,
      );

      expect(await works(current.accessToken)).toBe(false);
      expect(await works(other.accessToken)).toBe(true);
    });
  });

  describe('LogOutAll', () => {
    it('revokes every session of the user, the current one included', async () => {
      const stranger = await bed.openSession(bed.users.add(aUser()));

      await new LogOutAll(bed.ports).execute({ principal: current.principal });

      expect(await works(current.accessToken)).toBe(false);
      expect(await works(other.accessToken)).toBe(false);
      expect(await works(stranger.accessToken)).toBe(true);
    });
  });

  describe('ListSessions', () => {
    it('lists the live sessions and marks the one making the request', async () => {
      const ended = await bed.openSession(user);
      await bed.sessions.revoke(ended.sessionId, bed.clock.now());

      const { items } = (
        await new ListSessions(bed.ports).execute({ principal: current.principal })
      )._unsafeUnwrap();

      // Most recently used first, then by id descending (both were last used at the same instant).
      expect(items.map(({ id, current: isCurrent }) => ({ id, isCurrent }))).toEqual([
        { id: other.sessionId, isCurrent: false },
        { id: current.sessionId, isCurrent: true },
      ]);
    });
  });

  describe('RevokeSession', () => {
    it("ends another of the caller's own sessions", async () => {
      const result = await new RevokeSession(bed.ports).execute({
        principal: current.principal,
        sessionId: other.sessionId,
      });

      expect(result.isOk()).toBe(true);
      expect(await works(other.accessToken)).toBe(false);
      expect(await works(current.accessToken)).toBe(true);
    });

    it("reports someone else's session as not found and leaves it alone", async () => {
      const stranger = await bed.openSession(bed.users.add(aUser()));

      const result = await new RevokeSession(bed.ports).execute({
        principal: current.principal,
        sessionId: stranger.sessionId,
      });

      expect(result._unsafeUnwrapErr()).toEqual({ type: 'SessionNotFound' });
      expect(await works(stranger.accessToken)).toBe(true);
    });

    it('reports unknown and already revoked sessions as not found', async () => {
      const revoke = new RevokeSession(bed.ports);
      await revoke.execute({ principal: current.principal, sessionId: other.sessionId });

      expect(
        (
          await revoke.execute({ principal: current.principal, sessionId: other.sessionId })
        ).isErr(),
      ).toBe(true);
      expect(
        (await revoke.execute({ principal: current.principal, sessionId: 'nope' })).isErr(),
      ).toBe(true);
    });
  });
});
