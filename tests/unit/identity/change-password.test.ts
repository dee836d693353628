import { beforeEach, describe, expect, it } from 'vitest';
import { Authenticate } from '../../../src/modules/identity/application/authenticate.ts';
import { ChangePassword } from '../../../src/modules/identity/application/change-password.ts';
import type { User } from '../../../src/modules/identity/domain/user.ts';
import { aUser, DEFAULT_PASSWORD, principalOf } from '../../support/identity/builders.ts';
import { identityTestbed, type IdentityTestbed } from '../../support/identity/identity-testbed.ts';

describe('ChangePassword', () => {
  let bed: IdentityTestbed;
  let change: ChangePassword;
  let user: User;

  beforeEach(() => {
    bed = identityTestbed();
    change = new ChangePassword(bed.ports);
    user = bed.users.add(aUser({ email: 'ada@example.com' }));
  });

  it('sets the new password and signs out every other session, keeping the current one', async () => {
    const authenticate = new Authenticate(bed.ports);
    const current = await bed.openSession(user);
    const other = await bed.openSession(user);
    await authenticate.execute({ token: other.accessToken });

    const result = await change.execute({
      principal: current.principal,
      currentPassword: DEFAULT_PASSWORD,
      newPassword: 'a brand new passphrase',
    });

    expect(result.isOk()).toBe(true);
    expect(bed.users.stored(user.id)?.passwordHash).toBe('hashed:a brand new passphrase');
    expect((await authenticate.execute({ token: current.accessToken })).isOk()).toBe(true);
    expect((await authenticate.execute({ token: other.accessToken })).isErr()).toBe(true);
  });

  it('refuses a wrong current password without counting it towards the login lockout', async () => {
    const result = await change.execute({
      principal: principalOf(user),
      currentPassword: 'guess',
      newPassword: 'a brand new passphrase',
    });

    expect(result._unsafeUnwrapErr()).toEqual({ type: 'WrongCurrentPassword' });
    expect(bed.users.stored(user.id)).toMatchObject({
      passwordHash: user.passwordHash,
      failedLoginCount: 0,
    });
  });

  it('refuses a weak new password', async () => {
    const result = await change.execute({
      principal: principalOf(user),
      currentPassword: DEFAULT_PASSWORD,
      newPassword: 'ada@example.com',
    });
    expect(result._unsafeUnwrapErr()).toEqual({ type: 'WeakPassword', reason: 'equals_email' });
  });

  it('rejects a principal whose user no longer exists', async () => {
    const result = await change.execute({
      principal: principalOf(aUser()),
      currentPassword: DEFAULT_PASSWORD,
      newPassword: 'a brand new passphrase',
    });
    expect(result._unsafeUnwrapErr()).toEqual({ type: 'Unauthenticated' });
  });
});
