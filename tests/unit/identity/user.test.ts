import { describe, expect, it } from 'vitest';
import {
  LOCKOUT_MINUTES,
  MAX_FAILED_LOGINS,
  User,
} from '../../../src/modules/identity/domain/user.ts';

const start = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(start.getTime() + ms);

function failedTimes(user: User, times: number, now: Date) {
  for (let i = 0; i < times; i++) user.recordFailedLogin(now);
}

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

  it('locks for fifteen minutes on the fifth consecutive failure, counting down in whole seconds', () => {
    const user = User.register({
      id: 'u1',
      email: 'a@b.io',
      fullName: 'A',
      passwordHash: 'h',
      now: start,
    });

    failedTimes(user, MAX_FAILED_LOGINS - 1, start);
    expect(user.lockRemainingSeconds(start)).toBe(0);
    user.recordFailedLogin(start);

    expect(user.lockRemainingSeconds(start)).toBe(LOCKOUT_MINUTES * 60);
    expect(user.lockRemainingSeconds(at(1500))).toBe(LOCKOUT_MINUTES * 60 - 1);
    expect(user.lockRemainingSeconds(at(LOCKOUT_MINUTES * 60_000))).toBe(0);
  });

  it('starts a new count when a failure comes after the lock has run out', () => {
    const user = User.register({
      id: 'u1',
      email: 'a@b.io',
      fullName: 'A',
      passwordHash: 'h',
      now: start,
    });
    failedTimes(user, MAX_FAILED_LOGINS, start);

    const later = at(LOCKOUT_MINUTES * 60_000);
    user.recordFailedLogin(later);

    expect(user.failedLoginCount).toBe(1);
    expect(user.lockedUntil).toBeUndefined();
    expect(user.updatedAt).toEqual(later);
  });

  it('leaves updatedAt alone when clearing an already clean record', () => {
    const user = User.register({
      id: 'u1',
      email: 'a@b.io',
      fullName: 'A',
      passwordHash: 'h',
      now: start,
    });
    user.clearFailedLogins(at(1000));
    expect(user.updatedAt).toEqual(start);
  });
});
