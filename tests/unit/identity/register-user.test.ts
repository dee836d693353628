import { beforeEach, describe, expect, it } from 'vitest';
import { RegisterUser } from '../../../src/modules/identity/application/register-user.ts';
import { aUser } from '../../support/identity/builders.ts';
import { identityTestbed, type IdentityTestbed } from '../../support/identity/identity-testbed.ts';

const input = {
  email: '  Ada@Example.com ',
  password: 'correct horse battery staple',
  fullName: ' Ada Lovelace ',
  userAgent: 'vitest',
  ip: '203.0.113.7',
};

describe('RegisterUser', () => {
  let bed: IdentityTestbed;
  let register: RegisterUser;

  beforeEach(() => {
    bed = identityTestbed();
    register = new RegisterUser(bed.ports);
  });

  it('creates an unverified user with a normalised email and a hashed password', async () => {
    const { user } = (await register.execute(input))._unsafeUnwrap();

    expect(bed.users.stored(user.id)).toMatchObject({
      email: 'ada@example.com',
      fullName: 'Ada Lovelace',
      passwordHash: 'hashed:correct horse battery staple',
      role: 'user',
      emailVerified: false,
      isActive: true,
    });
  });

  it('sets the new account up (its Inbox) once, and not for an email already taken', async () => {
    const { user } = (await register.execute(input))._unsafeUnwrap();
    expect(bed.accountSetup.prepared).toEqual([user.id]);

    (await register.execute(input))._unsafeUnwrapErr();
    expect(bed.accountSetup.prepared).toEqual([user.id]);
  });

  it('signs the new user in with a session that carries the client details', async () => {
    const output = (await register.execute(input))._unsafeUnwrap();

    expect(output).toMatchObject({ expiresIn: 1800, refreshToken: expect.any(String) });
    const claims = bed.accessTokens.claimsOf(output.accessToken);
    expect(claims).toMatchObject({ userId: output.user.id, role: 'user' });
    expect(await bed.sessions.findById(claims!.sessionId)).toMatchObject({
      userAgent: 'vitest',
      ip: '203.0.113.7',
    });
    expect(
      (await bed.sessions.findByRefreshTokenHash(bed.secretTokens.hash(output.refreshToken)))
        ?.standing,
    ).toEqual({ kind: 'current' });
  });

  it('mails a verification link whose token is stored only as a hash and lives 24 hours', async () => {
    const { user } = (await register.execute(input))._unsafeUnwrap();

    const token = bed.mailer.lastTokenTo('ada@example.com', 'Verify');
    expect(token).toBeDefined();
    expect(bed.oneTimeTokens.rows).toEqual([
      expect.objectContaining({
        userId: user.id,
        purpose: 'verify_email',
        hash: bed.secretTokens.hash(token!),
        expiresAt: new Date(bed.clock.now().getTime() + 24 * 3_600_000),
      }),
    ]);
  });

  it('still registers when the mail cannot be sent, and reports the failure', async () => {
    const outage = new Error('smtp down');
    bed.mailer.failWith(outage);

    const result = await register.execute(input);

    expect(result.isOk()).toBe(true);
    expect(bed.failures.reports).toEqual([
      {
        error: outage,
        context: { operation: 'register_user', userId: result._unsafeUnwrap().user.id },
      },
    ]);
  });

  it('writes the user, its verification token and its session in one transaction', async () => {
    await register.execute(input);
    expect(bed.transactions.runs).toBe(1);
  });

  it('refuses an email that is already registered, in any case', async () => {
    bed.users.add(aUser({ email: 'ada@example.com' }));

    const result = await register.execute(input);

    expect(result._unsafeUnwrapErr()).toEqual({ type: 'EmailTaken' });
    expect(bed.mailer.sent).toEqual([]);
    expect(bed.oneTimeTokens.rows).toEqual([]);
  });

  it('refuses a weak password, including the email itself', async () => {
    expect((await register.execute({ ...input, password: 'password' }))._unsafeUnwrapErr()).toEqual(
      { type: 'WeakPassword', reason: 'common' },
    );
    expect(
      (await register.execute({ ...input, password: 'ADA@example.com' }))._unsafeUnwrapErr(),
    ).toEqual({
      type: 'WeakPassword',
      reason: 'equals_email',
    });
  });

  it('refuses an invalid email or full name', async () => {
    expect(
      (await register.execute({ ...input, email: 'not-an-email' }))._unsafeUnwrapErr(),
    ).toMatchObject({ field: 'email' });
    expect((await register.execute({ ...input, fullName: ' ' }))._unsafeUnwrapErr()).toMatchObject({
      field: 'full_name',
    });
  });
});
