import { beforeEach, describe, expect, it } from 'vitest';
import { AdminListUsers } from '../../../src/modules/identity/application/admin-list-users.ts';
import { AdminUpdateUser } from '../../../src/modules/identity/application/admin-update-user.ts';
import { Authenticate } from '../../../src/modules/identity/application/authenticate.ts';
import { GrantAdmin } from '../../../src/modules/identity/application/grant-admin.ts';
import type { User } from '../../../src/modules/identity/domain/user.ts';
import { aUser, principalOf } from '../../support/identity/builders.ts';
import { identityTestbed, type IdentityTestbed } from '../../support/identity/identity-testbed.ts';

describe('administration', () => {
  let bed: IdentityTestbed;
  let admin: User;
  let member: User;

  beforeEach(() => {
    bed = identityTestbed();
    admin = bed.users.add(aUser({ role: 'admin', email: 'root@example.com', fullName: 'Root' }));
    member = bed.users.add(aUser({ email: 'ada@example.com', fullName: 'Ada Lovelace' }));
  });

  describe('AdminListUsers', () => {
    it('pages through users and searches email and name', async () => {
      const list = new AdminListUsers(bed.ports);

      expect(
        (await list.execute({ principal: principalOf(admin), page: 2, limit: 1 }))._unsafeUnwrap(),
      ).toMatchObject({
        // Newest first, then by id descending (both were created at the same instant).
        items: [expect.objectContaining({ id: admin.id })],
        total: 2,
        page: 2,
        limit: 1,
      });
      const found = (
        await list.execute({ principal: principalOf(admin), page: 1, limit: 20, q: ' lovelace ' })
      )._unsafeUnwrap();
      expect(found.items.map((user) => user.id)).toEqual([member.id]);
    });

    it('is forbidden to a non-admin', async () => {
      const result = await new AdminListUsers(bed.ports).execute({
        principal: principalOf(member),
        page: 1,
        limit: 20,
      });
      expect(result._unsafeUnwrapErr()).toMatchObject({ type: 'Forbidden' });
    });

    it('goes by the stored role, not the one in an older access token', async () => {
      const demoted = bed.users.add(aUser({ role: 'user' }));
      const result = await new AdminListUsers(bed.ports).execute({
        principal: { ...principalOf(demoted), role: 'admin' },
        page: 1,
        limit: 20,
      });
      expect(result.isErr()).toBe(true);
    });
  });

  describe('AdminUpdateUser', () => {
    let update: AdminUpdateUser;

    beforeEach(() => {
      update = new AdminUpdateUser(bed.ports);
    });

    it("changes another user's role", async () => {
      const updated = (
        await update.execute({ principal: principalOf(admin), userId: member.id, role: 'admin' })
      )._unsafeUnwrap();

      expect(updated.role).toBe('admin');
      expect(bed.users.stored(member.id)?.role).toBe('admin');
    });

    it("deactivates a user and ends all of that user's sessions at once", async () => {
      const authenticate = new Authenticate(bed.ports);
      const session = await bed.openSession(member);
      await authenticate.execute({ token: session.accessToken });

      const updated = (
        await update.execute({ principal: principalOf(admin), userId: member.id, isActive: false })
      )._unsafeUnwrap();

      expect(updated.isActive).toBe(false);
      expect((await authenticate.execute({ token: session.accessToken })).isErr()).toBe(true);
      expect(bed.transactions.runs).toBe(1);
    });

    it('reactivates a user', async () => {
      bed.users.add(aUser({ id: 'off', isActive: false }));
      expect(
        (
          await update.execute({ principal: principalOf(admin), userId: 'off', isActive: true })
        )._unsafeUnwrap().isActive,
      ).toBe(true);
    });

    it('writes nothing when nothing changes', async () => {
      const result = await update.execute({
        principal: principalOf(admin),
        userId: member.id,
        role: 'user',
        isActive: true,
      });

      expect(result._unsafeUnwrap().updatedAt).toEqual(member.updatedAt);
      expect(bed.transactions.runs).toBe(0);
    });

    it('is forbidden to a non-admin', async () => {
      const result = await update.execute({
        principal: principalOf(member),
        userId: admin.id,
        role: 'user',
      });
      expect(result._unsafeUnwrapErr()).toMatchObject({ type: 'Forbidden' });
      expect(bed.users.stored(admin.id)?.role).toBe('admin');
    });

    it('refuses an admin changing their own role or deactivating themself', async () => {
      const self = principalOf(admin);
      expect(
        (
          await update.execute({ principal: self, userId: admin.id, role: 'user' })
        )._unsafeUnwrapErr(),
      ).toEqual({ type: 'CannotModifySelf' });
      expect(
        (
          await update.execute({ principal: self, userId: admin.id, isActive: false })
        )._unsafeUnwrapErr(),
      ).toEqual({ type: 'CannotModifySelf' });
      expect(bed.users.stored(admin.id)).toMatchObject({ role: 'admin', isActive: true });
    });

    it('lets an admin send their own unchanged values', async () => {
      expect(
        (
          await update.execute({
            principal: principalOf(admin),
            userId: admin.id,
            role: 'admin',
            isActive: true,
          })
        ).isOk(),
      ).toBe(true);
    });

    it('reports an unknown user', async () => {
      const result = await update.execute({
        principal: principalOf(admin),
        userId: 'nobody',
        role: 'admin',
      });
      expect(result._unsafeUnwrapErr()).toEqual({ type: 'UserNotFound' });
    });
  });

  describe('GrantAdmin', () => {
    it('makes an existing user an admin by email, idempotently', async () => {
      const grant = new GrantAdmin(bed.ports);

      expect((await grant.execute({ email: ' ADA@example.com ' }))._unsafeUnwrap().role).toBe(
        'admin',
      );
      expect(bed.users.stored(member.id)?.role).toBe('admin');
      expect((await grant.execute({ email: 'ada@example.com' })).isOk()).toBe(true);
    });

    it('reports an unknown email', async () => {
      expect(
        (
          await new GrantAdmin(bed.ports).execute({ email: 'nobody@example.com' })
        )._unsafeUnwrapErr(),
      ).toEqual({ type: 'UserNotFound' });
    });
  });
});
