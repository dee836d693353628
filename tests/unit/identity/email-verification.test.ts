import { beforeEach, describe, expect, it } from 'vitest';
import { RegisterUser } from '../../../src/modules/identity/application/register-user.ts';
import {
  RESEND_VERIFICATION_LIMIT,
  RESEND_VERIFICATION_WINDOW_SECONDS,
  ResendVerification,
} from '../../../src/modules/identity/application/resend-verification.ts';
import { VerifyEmail } from '../../../src/modules/identity/application/verify-email.ts';
import type { User } from '../../../src/modules/identity/domain/user.ts';
import { aUser, principalOf } from '../../support/identity/builders.ts';
import { identityTestbed, type IdentityTestbed } from '../../support/identity/identity-testbed.ts';

describe('email verification', () => {
  let bed: IdentityTestbed;
  let verify: VerifyEmail;
  let resend: ResendVerification;
  let user: User;
  let token: string;

  beforeEach(async () => {
    bed = identityTestbed();
    verify = new VerifyEmail(bed.ports);
    resend = new ResendVerification(bed.ports);
    const registered = await new RegisterUser(bed.ports).execute({
      email: 'ada@example.com',
      password: 'correct horse battery staple',
      fullName: 'Ada',
    });
    user = registered._unsafeUnwrap().user;
    token = bed.mailer.lastTokenTo('ada@example.com', 'Verify')!;
  });

  describe('VerifyEmail', () => {
    it('marks the email verified and returns the user', async () => {
      const verified = (await verify.execute({ token }))._unsafeUnwrap();

      expect(verified.emailVerified).toBe(true);
      expect(bed.users.stored(user.id)?.emailVerified).toBe(true);
    });

    it('accepts a token only once', async () => {
      await verify.execute({ token });
      expect((await verify.execute({ token }))._unsafeUnwrapErr()).toEqual({
        type: 'InvalidToken',
      });
    });

    it('rejects an unknown token and one older than 24 hours', async () => {
      expect((await verify.execute({ token: 'made-up' })).isErr()).toBe(true);
      bed.clock.advance(24 * 3_600_000);
      expect((await verify.execute({ token })).isErr()).toBe(true);
    });

    it('rejects a token whose user no longer exists', async () => {
      await bed.oneTimeTokens.insert({
        id: 't',
        userId: 'gone',
        purpose: 'verify_email',
        hash: bed.secretTokens.hash('orphan'),
        expiresAt: new Date(bed.clock.now().getTime() + 60_000),
        createdAt: bed.clock.now(),
      });
      expect((await verify.execute({ token: 'orphan' })).isErr()).toBe(true);
    });
  });

  describe('ResendVerification', () => {
    it('mails a fresh link and kills the older ones', async () => {
      expect((await resend.execute({ principal: principalOf(user) })).isOk()).toBe(true);

      const fresh = bed.mailer.lastTokenTo('ada@example.com', 'Verify')!;
      expect(fresh).not.toBe(token);
      expect((await verify.execute({ token })).isErr()).toBe(true);
      expect((await verify.execute({ token: fresh })).isOk()).toBe(true);
    });

    it('refuses when the email is already verified', async () => {
      await verify.execute({ token });
      expect((await resend.execute({ principal: principalOf(user) }))._unsafeUnwrapErr()).toEqual({
        type: 'AlreadyVerified',
      });
    });

    it(`allows ${RESEND_VERIFICATION_LIMIT} resends an hour, then says when to retry`, async () => {
      for (let i = 0; i < RESEND_VERIFICATION_LIMIT; i++)
        expect((await resend.execute({ principal: principalOf(user) })).isOk()).toBe(true);
      bed.clock.advance(600_000);

      expect((await resend.execute({ principal: principalOf(user) }))._unsafeUnwrapErr()).toEqual({
        type: 'RateLimited',
        retryAfterSeconds: RESEND_VERIFICATION_WINDOW_SECONDS - 600,
      });
      bed.clock.advance((RESEND_VERIFICATION_WINDOW_SECONDS - 600) * 1000);
      expect((await resend.execute({ principal: principalOf(user) })).isOk()).toBe(true);
    });

    it('fails the request when the mail cannot be sent, so the caller knows to retry', async () => {
      bed.mailer.failWith(new Error('smtp down'));
      await expect(resend.execute({ principal: principalOf(user) })).rejects.toThrow('smtp down');
    });

    it('rejects a principal whose user no longer exists', async () => {
      expect(
        (await resend.execute({ principal: principalOf(aUser()) }))._unsafeUnwrapErr(),
      ).toEqual({ type: 'Unauthenticated' });
    });
  });
});
