import { beforeEach, describe, expect, it } from 'vitest';
import { LiveSessions } from '../../../src/modules/identity/application/support/live-sessions.ts';
import { aUser } from '../../support/identity/builders.ts';
import { identityTestbed, type IdentityTestbed } from '../../support/identity/identity-testbed.ts';

describe('LiveSessions', () => {
  let bed: IdentityTestbed;
  let liveSessions: LiveSessions;

  beforeEach(() => {
    bed = identityTestbed();
    liveSessions = new LiveSessions(bed.ports);
  });

  it('holds a session live while it is neither revoked nor expired and its user is active', async () => {
    const user = bed.users.add(aUser());
    const { sessionId } = await bed.openSession(user);
    expect(await liveSessions.isLive({ userId: user.id, sessionId })).toBe(true);
    expect(await liveSessions.endedAmong([{ userId: user.id, sessionId }])).toEqual([]);
  });

  it('refuses a session presented for another user', async () => {
    const owner = bed.users.add(aUser());
    const other = bed.users.add(aUser());
    const { sessionId } = await bed.openSession(owner);
    expect(await liveSessions.isLive({ userId: other.id, sessionId })).toBe(false);
    expect(await liveSessions.endedAmong([{ userId: other.id, sessionId }])).toEqual([sessionId]);
  });

  it('counts revoked, expired and deactivated sessions as ended, in one answer', async () => {
    const revoked = await bed.openSession(bed.users.add(aUser()));
    const kept = await bed.openSession(bed.users.add(aUser()));
    const deactivated = await bed.openSession(bed.users.add(aUser({ isActive: false })));
    await bed.sessions.revoke(revoked.sessionId, bed.clock.now());

    const principals = [revoked, kept, deactivated].map(({ principal }) => ({
      userId: principal.userId,
      sessionId: principal.sessionId,
    }));
    expect(await liveSessions.endedAmong(principals)).toEqual([
      revoked.sessionId,
      deactivated.sessionId,
    ]);
    expect(await liveSessions.isLive(principals[2]!)).toBe(false);

    bed.clock.advance(31 * 86_400_000);
    expect(await liveSessions.endedAmong([principals[1]!])).toEqual([kept.sessionId]);
  });

  it('answers an empty question without asking the store', async () => {
    expect(await liveSessions.endedAmong([])).toEqual([]);
  });
});
