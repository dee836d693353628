import { beforeEach, describe, expect, it } from 'vitest';
import { Authenticate } from '../../../src/modules/identity/application/authenticate.ts';
import {
  PASSWORD_RESET_MAILS_LIMIT,
  RequestPasswordReset,
} from '../../../src/modules/identity/application/request-password-reset.ts';
import { ResetPassword } from '../../../src/modules/identity/application/reset-password.ts';
import {
  LOGIN_LOCKOUT,
  MAX_FAILED_LOGINS,
  type User,
} from '../../../src/modules/identity/domain/user.ts';
import { aUser } from '../../support/identity/builders.ts';
import { identityTestbed, type IdentityTestbed } from '../../support/identity/identity-testbed.ts';

const NEW_PASSWORD = 'a brand new passphrase';

describe('password reset', () => {
  let bed: IdentityTestbed;
  let requestReset: RequestPasswordReset;
  let reset: ResetPassword;
  let user: User;

  beforeEach(() => {
    bed = identityTestbed();
    requestReset = new RequestPasswordReset(bed.ports);
    reset = new ResetPassword(bed.ports);
    user = bed.users.add(aUser({ email: 'ada@example.com', fullName: 'Ada' }));
  });

  const mailedToken = async () => {
    await requestReset.execute({ email: 'ada@example.com' });
    return bed.mailer.lastTokenTo('ada@example.com', 'Reset')!;
  };

  describe('RequestPasswordReset', () => {
    it('mails a reset link valid for one hour to a known address, whatever its case', async () => {
      expect((await requestReset.execute({ email: ' ADA@example.com' })).isOk()).toBe(true);

      const token = bed.mailer.lastTokenTo('ada@example.com', 'Reset')!;
      expect(bed.oneTimeTokens.rows).toEqual([
        expect.objectContaining({
          userId: user.id,
          purpose: 'password_reset',
          hash: bed.secretTokens.hash(token),
          expiresAt: new Date(bed.clock.now().getTime() + 3_600_000),
        }),
      ]);
    });

    it('succeeds without a mail for an unknown address or a deactivated account', async () => {
      bed.users.add(aUser({ email: 'off@example.com', isActive: false }));

      expect((await requestReset.execute({ email: 'nobody@example.com' })).isOk()).toBe(true);
      expect((await requestReset.execute({ email: 'off@example.com' })).isOk()).toBe(true);
      expect(bed.mailer.sent).toEqual([]);
    });

    it('still succeeds when the mail cannot be sent, and reports the failure', async () => {
      bed.mailer.failWith(new Error('smtp down'));

      expect((await requestReset.execute({ email: 'ada@example.com' })).isOk()).toBe(true);
      expect(bed.failures.reports).toEqual([
        {
          error: expect.any(Error),
          context: { operation: 'request_password_reset', userId: user.id },
        },
      ]);
    });

    it(`sends at most ${PASSWORD_RESET_MAILS_LIMIT} mails an hour to one address, silently`, async () => {
      for (let i = 0; i <= PASSWORD_RESET_MAILS_LIMIT; i++)
        expect((await requestReset.execute({ email: 'ada@example.com' })).isOk()).toBe(true);
      expect(bed.mailer.sent).toHaveLength(PASSWORD_RESET_MAILS_LIMIT);
    });

    it('makes only the newest link usable', async () => {
      const older = await mailedToken();
      const newer = await mailedToken();

      expect((await reset.execute({ token: older, password: NEW_PASSWORD })).isErr()).toBe(true);
      expect((await reset.execute({ token: newer, password: NEW_PASSWORD })).isOk()).toBe(true);
    });
  });

  describe('ResetPassword', () => {
    it('sets the new password, signs out every session and lifts a lockout', async () => {
      const authenticate = new Authenticate(bed.ports);
      const session = await bed.openSession(user);
      await authenticate.execute({ token: session.accessToken });
      for (let i = 0; i < MAX_FAILED_LOGINS; i++)
        await bed.users.beginLoginAttempt(user.id, bed.clock.now(), LOGIN_LOCKOUT);
      expect(bed.users.stored(user.id)?.lockedUntil).toBeDefined();

      expect(
        (await reset.execute({ token: await mailedToken(), password: NEW_PASSWORD })).isOk(),
      ).toBe(true);

      expect(bed.users.stored(user.id)).toMatchObject({
        passwordHash: `hashed:${NEW_PASSWORD}`,
        failedLoginCount: 0,
        lockedUntil: undefined,
      });
      expect((await authenticate.execute({ token: session.accessToken })).isErr()).toBe(true);
      expect(bed.transactions.runs).toBe(2);
    });

    it('accepts a link only once', async () => {
      const token = await mailedToken();
      await reset.execute({ token, password: NEW_PASSWORD });
      expect(
        (await reset.execute({ token, password: 'yet another passphrase' }))._unsafeUnwrapErr(),
      ).toEqual({ type: 'InvalidToken' });
    });

    it('rejects an unknown link and one older than an hour', async () => {
      const token = await mailedToken();
      expect((await reset.execute({ token: 'made-up', password: NEW_PASSWORD })).isErr()).toBe(
        true,
      );
      bed.clock.advance(3_600_000);
      expect((await reset.execute({ token, password: NEW_PASSWORD }))._unsafeUnwrapErr()).toEqual({
        type: 'InvalidToken',
      });
    });

    it('rejects a weak password without burning the link', async () => {
      const token = await mailedToken();

      expect((await reset.execute({ token, password: 'short' }))._unsafeUnwrapErr()).toEqual({
        type: 'WeakPassword',
        reason: 'too_short',
      });
      expect(
        (await reset.execute({ token, password: 'Ada@Example.com' }))._unsafeUnwrapErr(),
      ).toEqual({
        type: 'WeakPassword',
        reason: 'equals_email',
      });
      expect((await reset.execute({ token, password: NEW_PASSWORD })).isOk()).toBe(true);
    });

    it('lets only one of two concurrent resets with the same link win', async () => {
      const token = await mailedToken();

      const results = await Promise.all([
        reset.execute({ token, password: NEW_PASSWORD }),
        reset.execute({ token, password: 'the losing passphrase' }),
      ]);

      expect(results.map((result) => result.isOk())).toEqual([true, false]);
      expect(results[1]?._unsafeUnwrapErr()).toEqual({ type: 'InvalidToken' });
      expect(bed.users.stored(user.id)?.passwordHash).toBe(`hashed:${NEW_PASSWORD}`);
    });

    it('rejects a link whose user no longer exists', async () => {
      await bed.oneTimeTokens.insert({
        id: 't',
        userId: 'gone',
        purpose: 'password_reset',
        hash: bed.secretTokens.hash('orphan'),
        expiresAt: new Date(bed.clock.now().getTime() + 60_000),
        createdAt: bed.clock.now(),
      });
      expect((await reset.execute({ token: 'orphan', password: NEW_PASSWORD })).isErr()).toBe(true);
    });
  });
});
