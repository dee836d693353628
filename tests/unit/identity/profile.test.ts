import { beforeEach, describe, expect, it } from 'vitest';
import { GetProfile } from '../../../src/modules/identity/application/get-profile.ts';
import { UpdateProfile } from '../../../src/modules/identity/application/update-profile.ts';
import type { User } from '../../../src/modules/identity/domain/user.ts';
import { aUser, principalOf } from '../../support/identity/builders.ts';
import {
  FixedStorageUsage,
  identityTestbed,
  type IdentityTestbed,
} from '../../support/identity/identity-testbed.ts';

describe('profile', () => {
  let bed: IdentityTestbed;
  let user: User;

  beforeEach(() => {
    bed = identityTestbed();
    user = bed.users.add(aUser({ fullName: 'Ada' }));
  });

  it("returns the caller's own user, with their storage usage", async () => {
    bed.storageUsage.used.set(user.id, 1234);
    const found = (
      await new GetProfile(bed.ports).execute({ principal: principalOf(user) })
    )._unsafeUnwrap();
    expect(found.user.toProps()).toEqual(user.toProps());
    expect(found.storage).toEqual({
      usedBytes: 1234,
      quotaBytes: FixedStorageUsage.QUOTA_BYTES,
    });
  });

  it('renames the caller, trimmed, and records when', async () => {
    bed.clock.advance(5000);
    const updated = (
      await new UpdateProfile(bed.ports).execute({
        principal: principalOf(user),
        fullName: '  Ada Lovelace ',
      })
    )._unsafeUnwrap();

    expect(updated.fullName).toBe('Ada Lovelace');
    expect(bed.users.stored(user.id)).toMatchObject({
      fullName: 'Ada Lovelace',
      updatedAt: bed.clock.now(),
    });
  });

  it('refuses an empty full name', async () => {
    const result = await new UpdateProfile(bed.ports).execute({
      principal: principalOf(user),
      fullName: '   ',
    });
    expect(result._unsafeUnwrapErr()).toMatchObject({
      type: 'ValidationFailed',
      field: 'full_name',
    });
  });

  it('rejects a principal whose user no longer exists', async () => {
    const ghost = principalOf(aUser());
    expect(
      (await new GetProfile(bed.ports).execute({ principal: ghost }))._unsafeUnwrapErr(),
    ).toEqual({ type: 'Unauthenticated' });
    expect(
      (
        await new UpdateProfile(bed.ports).execute({ principal: ghost, fullName: 'X' })
      )._unsafeUnwrapErr(),
    ).toEqual({ type: 'Unauthenticated' });
  });
});
