import { beforeEach, describe, expect, it } from 'vitest';
import { LogIn } from '../../../src/modules/identity/application/log-in.ts';
import {
  LOCKOUT_MINUTES,
  MAX_FAILED_LOGINS,
  type User,
} from '../../../src/modules/identity/domain/user.ts';
import { OverloadedError } from '../../../src/shared/infra/bounded-queue.ts';
import { aUser, DEFAULT_PASSWORD } from '../../support/identity/builders.ts';
import { FakePasswordHasher } from '../../support/identity/fake-password-hasher.ts';
import { identityTestbed, type IdentityTestbed } from '../../support/identity/identity-testbed.ts';

describe('LogIn', () => {
  let bed: IdentityTestbed;
  let logIn: LogIn;
  let user: User;

  beforeEach(() => {
    bed = identityTestbed();
    logIn = new LogIn(bed.ports);
    user = bed.users.add(aUser({ email: 'ada@example.com' }));
  });

  const attempt = (password: string, email = 'ada@example.com') =>
    logIn.execute({ email, password, userAgent: 'curl/8', ip: '198.51.100.1' });

  it('signs in with the right password, whatever the email case, and opens a session', async () => {
    const output = (await attempt(DEFAULT_PASSWORD, ' ADA@example.com '))._unsafeUnwrap();

    expect(output.user.id).toBe(user.id);
    const claims = bed.accessTokens.claimsOf(output.accessToken);
    expect(claims).toEqual({ userId: user.id, sessionId: expect.any(String), role: 'user' });
    expect(await bed.sessions.findById(claims!.sessionId)).toMatchObject({
      userId: user.id,
      userAgent: 'curl/8',
      ip: '198.51.100.1',
    });
    expect(
      await bed.sessions.findByRefreshTokenHash(bed.secretTokens.hash(output.refreshToken)),
    ).toBeDefined();
  });

  it('answers a wrong password with invalid credentials and counts the failure', async () => {
    expect((await attempt('wrong password'))._unsafeUnwrapErr()).toEqual({
      type: 'InvalidCredentials',
    });
    expect(bed.users.stored(user.id)?.failedLoginCount).toBe(1);
  });

  it('charges no attempt when password checking is saturated: the refusal comes before the charge', async () => {
    bed.passwordHasher.reserve = () => {
      throw new OverloadedError('password hashing', 3);
    };
    await expect(attempt('wrong password')).rejects.toThrow(OverloadedError);
    expect(bed.users.stored(user.id)?.failedLoginCount).toBe(0);
  });

  it('charges no attempt to an unknown email either when password checking is saturated', async () => {
    bed.passwordHasher.reserve = () => {
      throw new OverloadedError('password hashing', 3);
    };
    for (let i = 0; i < MAX_FAILED_LOGINS + 1; i++) {
      await expect(attempt('wrong', 'nobody@example.com')).rejects.toThrow(OverloadedError);
    }
    bed.passwordHasher.reserve = FakePasswordHasher.prototype.reserve.bind(bed.passwordHasher);
    // Not locked: like a known account, the refused attempts were never counted.
    expect((await attempt('wrong', 'nobody@example.com'))._unsafeUnwrapErr()).toEqual({
      type: 'InvalidCredentials',
    });
  });

  it('answers an unknown email exactly like a wrong password, after a dummy verification', async () => {
    const result = await attempt('some password', 'nobody@example.com');

    expect(result._unsafeUnwrapErr()).toEqual({ type: 'InvalidCredentials' });
    expect(bed.passwordHasher.dummyVerifications).toEqual(['some password']);
  });

  it('locks the account after five consecutive failures and unlocks after fifteen minutes', async () => {
    for (let i = 1; i < MAX_FAILED_LOGINS; i++)
      expect((await attempt('wrong'))._unsafeUnwrapErr().type).toBe('InvalidCredentials');
    // The failure that reaches the limit is still just a wrong password.
    expect((await attempt('wrong'))._unsafeUnwrapErr().type).toBe('InvalidCredentials');

    expect((await attempt(DEFAULT_PASSWORD))._unsafeUnwrapErr()).toEqual({
      type: 'AccountLocked',
      retryAfterSeconds: LOCKOUT_MINUTES * 60,
    });
    bed.clock.advance(LOCKOUT_MINUTES * 60_000 - 1000);
    expect((await attempt(DEFAULT_PASSWORD))._unsafeUnwrapErr()).toEqual({
      type: 'AccountLocked',
      retryAfterSeconds: 1,
    });

    bed.clock.advance(1000);
    expect((await attempt(DEFAULT_PASSWORD)).isOk()).toBe(true);
  });

  it('counts parallel wrong guesses, so they cannot outrun the lock', async () => {
    const guesses = 4 * MAX_FAILED_LOGINS;
    const results = await Promise.all(
      Array.from({ length: guesses }, (_, i) => attempt(`guess ${i}`)),
    );

    const types = results.map((r) => r._unsafeUnwrapErr().type);
    expect(types.filter((t) => t === 'InvalidCredentials')).toHaveLength(MAX_FAILED_LOGINS);
    expect(types.filter((t) => t === 'AccountLocked')).toHaveLength(guesses - MAX_FAILED_LOGINS);
    expect(bed.users.stored(user.id)?.failedLoginCount).toBe(MAX_FAILED_LOGINS);
    expect((await attempt(DEFAULT_PASSWORD))._unsafeUnwrapErr().type).toBe('AccountLocked');
  });

  it('starts counting afresh after a lock runs out instead of locking again at once', async () => {
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) await attempt('wrong');
    bed.clock.advance(LOCKOUT_MINUTES * 60_000);

    expect((await attempt('wrong'))._unsafeUnwrapErr().type).toBe('InvalidCredentials');
    expect((await attempt(DEFAULT_PASSWORD)).isOk()).toBe(true);
  });

  it('does not check the password while locked, so the lock is no guessing oracle', async () => {
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) await attempt('wrong');
    bed.clock.advance(60_000);

    expect((await attempt('wrong'))._unsafeUnwrapErr()).toEqual({
      type: 'AccountLocked',
      retryAfterSeconds: (LOCKOUT_MINUTES - 1) * 60,
    });
    expect(bed.users.stored(user.id)?.failedLoginCount).toBe(MAX_FAILED_LOGINS);
  });

  it('clears the failure count on a successful login, so failures must be consecutive to lock', async () => {
    for (let i = 1; i < MAX_FAILED_LOGINS; i++) await attempt('wrong');
    expect((await attempt(DEFAULT_PASSWORD)).isOk()).toBe(true);
    expect(bed.users.stored(user.id)).toMatchObject({
      failedLoginCount: 0,
      lockedUntil: undefined,
    });

    expect((await attempt('wrong'))._unsafeUnwrapErr().type).toBe('InvalidCredentials');
    expect((await attempt(DEFAULT_PASSWORD)).isOk()).toBe(true);
  });

  it('lets the right password through on the attempt that reaches the limit, and clears the count', async () => {
    for (let i = 1; i < MAX_FAILED_LOGINS; i++) await attempt('wrong');

    expect((await attempt(DEFAULT_PASSWORD)).isOk()).toBe(true);
    expect(bed.users.stored(user.id)).toMatchObject({
      failedLoginCount: 0,
      lockedUntil: undefined,
    });
  });

  it('does not let the right password of a deactivated account count towards a lock', async () => {
    const disabled = bed.users.add(aUser({ email: 'off@example.com', isActive: false }));
    for (let i = 1; i < MAX_FAILED_LOGINS; i++) await attempt('wrong', disabled.email);

    expect((await attempt(DEFAULT_PASSWORD, disabled.email))._unsafeUnwrapErr().type).toBe(
      'AccountDisabled',
    );
    expect(bed.users.stored(disabled.id)?.failedLoginCount).toBe(0);
  });

  it('tells a deactivated user with the right password that the account is disabled', async () => {
    const disabled = bed.users.add(aUser({ email: 'off@example.com', isActive: false }));
    expect((await attempt(DEFAULT_PASSWORD, disabled.email))._unsafeUnwrapErr()).toEqual({
      type: 'AccountDisabled',
    });
  });

  it('does not reveal that an account is disabled to a wrong password', async () => {
    const disabled = bed.users.add(aUser({ email: 'off@example.com', isActive: false }));
    expect((await attempt('wrong', disabled.email))._unsafeUnwrapErr()).toEqual({
      type: 'InvalidCredentials',
    });
  });
});
