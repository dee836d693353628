import { beforeEach, describe, expect, it } from 'vitest';
import { AdminUpdateUser } from '../../../src/modules/identity/application/admin-update-user.ts';
import { Authenticate } from '../../../src/modules/identity/application/authenticate.ts';
import { CreateAccessToken } from '../../../src/modules/identity/application/create-access-token.ts';
import { ListAccessTokens } from '../../../src/modules/identity/application/list-access-tokens.ts';
import { RevokeAccessToken } from '../../../src/modules/identity/application/revoke-access-token.ts';
import {
  ACCESS_TOKENS_PER_USER,
  LAST_USED_PRECISION_SECONDS,
} from '../../../src/modules/identity/domain/access-token.ts';
import type { User } from '../../../src/modules/identity/domain/user.ts';
import { aUser } from '../../support/identity/builders.ts';
import { identityTestbed, type IdentityTestbed } from '../../support/identity/identity-testbed.ts';

describe('personal access tokens', () => {
  let bed: IdentityTestbed;
  let user: User;
  let principal: { userId: string; sessionId: string; role: 'user' | 'admin' };

  beforeEach(async () => {
    bed = identityTestbed();
    user = bed.users.add(aUser());
    principal = (await bed.openSession(user)).principal;
  });

  const create = (scopes: string[] = ['tasks:read'], name = 'CI') =>
    new CreateAccessToken(bed.ports).execute({ principal, name, scopes });
  const authenticate = (token: string) => new Authenticate(bed.ports).execute({ token });

  it('creates a token whose secret carries the prefix and is stored only as its hash', async () => {
    const { token, secret } = (await create())._unsafeUnwrap();
    expect(secret).toMatch(/^tmk_/);
    const [row] = bed.personalTokens.rows;
    expect(row!.secretHash).toBe(bed.secretTokens.hash(secret));
    expect(token.prefix).toBe(secret.slice(0, 12));
  });

  it('authenticates a token as its user with its scopes, and refuses an unknown one', async () => {
    const { token, secret } = (await create(['tasks:read', 'comments:write']))._unsafeUnwrap();
    expect((await authenticate(secret))._unsafeUnwrap()).toEqual({
      kind: 'token',
      userId: user.id,
      tokenId: token.id,
      scopes: ['tasks:read', 'comments:write'],
      role: 'user',
    });
    expect((await authenticate('tmk_unknown'))._unsafeUnwrapErr()).toEqual({
      type: 'Unauthenticated',
    });
  });

  it('counts the rate limit of a token against its user', async () => {
    const { secret } = (await create())._unsafeUnwrap();
    const counted: string[] = [];
    await new Authenticate(bed.ports).execute({
      token: secret,
      alongside: async (userId) => {
        counted.push(userId);
      },
    });
    expect(counted).toEqual([user.id]);
  });

  it('refuses a token once it expires, is revoked, or its user is deactivated', async () => {
    const expiring = (await create())._unsafeUnwrap();
    bed.clock.advance(90 * 86_400_000);
    expect((await authenticate(expiring.secret)).isErr()).toBe(true);

    const revoked = (await create())._unsafeUnwrap();
    expect((await authenticate(revoked.secret)).isOk()).toBe(true);
    await new RevokeAccessToken(bed.ports).execute({ principal, tokenId: revoked.token.id });
    expect((await authenticate(revoked.secret)).isErr()).toBe(true);

    const live = (await create())._unsafeUnwrap();
    user.setActive(false, bed.clock.now());
    await bed.users.update(user);
    expect((await authenticate(live.secret)).isErr()).toBe(true);
  });

  it('records the last use at most once a minute', async () => {
    const { secret } = (await create())._unsafeUnwrap();
    const lastUsed = () => bed.personalTokens.rows[0]!.token.lastUsedAt;
    const first = bed.clock.now();
    await authenticate(secret);
    await expect.poll(lastUsed).toEqual(first);
    bed.clock.advance(LAST_USED_PRECISION_SECONDS * 1000 - 1);
    await authenticate(secret);
    await Promise.resolve();
    expect(lastUsed()).toEqual(first);
    bed.clock.advance(1);
    await authenticate(secret);
    await expect.poll(lastUsed).toEqual(bed.clock.now());
  });

  it(`refuses the token past ${ACCESS_TOKENS_PER_USER} live ones, and counts a revoked one out`, async () => {
    const tokens = [];
    for (let i = 0; i < ACCESS_TOKENS_PER_USER; i++) tokens.push((await create())._unsafeUnwrap());
    expect((await create())._unsafeUnwrapErr()).toEqual({
      type: 'TooManyAccessTokens',
      limit: ACCESS_TOKENS_PER_USER,
    });
    await new RevokeAccessToken(bed.ports).execute({ principal, tokenId: tokens[0]!.token.id });
    expect((await create()).isOk()).toBe(true);
  });

  it('lists the caller’s unrevoked tokens newest first, and nobody else’s', async () => {
    const older = (await create(['tasks:read'], 'older'))._unsafeUnwrap();
    bed.clock.advance(1000);
    const newer = (await create(['tasks:read'], 'newer'))._unsafeUnwrap();
    const gone = (await create(['tasks:read'], 'gone'))._unsafeUnwrap();
    await new RevokeAccessToken(bed.ports).execute({ principal, tokenId: gone.token.id });
    const other = bed.users.add(aUser());
    const otherPrincipal = (await bed.openSession(other)).principal;
    await new CreateAccessToken(bed.ports).execute({
      principal: otherPrincipal,
      name: 'theirs',
      scopes: ['tasks:read'],
    });

    const { items } = (
      await new ListAccessTokens(bed.ports).execute({ principal })
    )._unsafeUnwrap();
    expect(items.map((t) => t.id)).toEqual([newer.token.id, older.token.id]);
  });

  it('reports another user’s token as not found and leaves it working', async () => {
    const mine = (await create())._unsafeUnwrap();
    const other = bed.users.add(aUser());
    const theirs = (await bed.openSession(other)).principal;
    const result = await new RevokeAccessToken(bed.ports).execute({
      principal: theirs,
      tokenId: mine.token.id,
    });
    expect(result._unsafeUnwrapErr()).toEqual({ type: 'AccessTokenNotFound' });
    expect((await authenticate(mine.secret)).isOk()).toBe(true);
  });

  it('revokes the user’s tokens on deactivation, so reactivating does not revive them', async () => {
    const admin = bed.users.add(aUser({ role: 'admin' }));
    const adminPrincipal = (await bed.openSession(admin)).principal;
    const { secret } = (await create())._unsafeUnwrap();
    const update = new AdminUpdateUser(bed.ports);
    await update.execute({ principal: adminPrincipal, userId: user.id, isActive: false });
    await update.execute({ principal: adminPrincipal, userId: user.id, isActive: true });
    expect((await authenticate(secret)).isErr()).toBe(true);
  });
});
