import { describe, expect, it } from 'vitest';
import { User } from '../../../src/modules/identity/domain/user.ts';
import { aUser } from '../../support/identity/builders.ts';

const start = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(start.getTime() + ms);

describe('User', () => {
  it('registers as an active, unverified user with no failed logins', () => {
    const user = User.register({
      id: 'u1',
      email: 'ada@example.com',
      fullName: 'Ada',
      passwordHash: 'h',
      now: start,
    });

    expect(user.toProps()).toEqual({
      id: 'u1',
      email: 'ada@example.com',
      fullName: 'Ada',
      passwordHash: 'h',
      role: 'user',
      emailVerified: false,
      isActive: true,
      failedLoginCount: 0,
      lockedUntil: undefined,
      createdAt: start,
      updatedAt: start,
    });
    expect(user.createdAt).toEqual(start);
  });

  it('counts a lock down in whole seconds, rounding up, until it has run out', () => {
    const user = aUser({ failedLoginCount: 5, lockedUntil: at(15 * 60_000) });

    expect(user.lockRemainingSeconds(start)).toBe(15 * 60);
    expect(user.lockRemainingSeconds(at(1500))).toBe(15 * 60 - 1);
    expect(user.lockRemainingSeconds(at(15 * 60_000 - 1))).toBe(1);
    expect(user.lockRemainingSeconds(at(15 * 60_000))).toBe(0);
    expect(aUser().lockRemainingSeconds(start)).toBe(0);
  });

  it('has no pending changes as restored, and only what was changed afterwards', () => {
    const user = aUser({ updatedAt: start });
    expect(user.pendingChanges()).toEqual({});

    user.setActive(false, at(1000));
    user.rename('Ada Lovelace', at(2000));

    expect(user.pendingChanges()).toEqual({
      isActive: false,
      fullName: 'Ada Lovelace',
      updatedAt: at(2000),
    });
  });

  it('does not report a value set back to what was loaded', () => {
    const user = aUser({ role: 'user', updatedAt: start });
    user.setRole('admin', start);
    user.setRole('user', new Date(start));

    expect(user.pendingChanges()).toEqual({});
  });

  it('starts tracking afresh once saved', () => {
    const user = aUser({ emailVerified: false });
    user.changePassword('new-hash', at(1000));
    user.markSaved();
    expect(user.pendingChanges()).toEqual({});

    user.verifyEmail(at(2000));
    expect(user.pendingChanges()).toEqual({ emailVerified: true, updatedAt: at(2000) });
  });
});
