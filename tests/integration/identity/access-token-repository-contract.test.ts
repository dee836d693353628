import { RequestContext } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { entities } from '../../../src/container.ts';
import { MikroOrmAccessTokenRepository } from '../../../src/modules/identity/adapters/persistence/mikro-orm-access-token-repository.ts';
import { MikroOrmUserRepository } from '../../../src/modules/identity/adapters/persistence/mikro-orm-user-repository.ts';
import type {
  AccessTokenRepository,
  UserRepository,
} from '../../../src/modules/identity/application/ports.ts';
import {
  newAccessToken,
  type AccessToken,
} from '../../../src/modules/identity/domain/access-token.ts';
import { User } from '../../../src/modules/identity/domain/user.ts';
import { initOrm, type Orm } from '../../../src/shared/infra/orm.ts';
import { InMemoryAccessTokenRepository } from '../../support/identity/in-memory-access-token-repository.ts';
import { InMemoryUserRepository } from '../../support/identity/in-memory-user-repository.ts';

/**
 * The access-token repository's contract, run against the in-memory fake the unit tests use and
 * against PostgreSQL: a fake that drifts from the real repository fails here.
 */
interface Repositories {
  users: UserRepository;
  tokens: AccessTokenRepository;
  run<T>(work: () => Promise<T>): Promise<T>;
}

let orm: Orm;
beforeAll(async () => {
  orm = await initOrm({ databaseUrl: inject('databaseUrl'), entities, poolMax: 4 });
});
afterAll(() => orm.close());

const implementations: Array<{ name: string; make: () => Repositories }> = [
  {
    name: 'in memory',
    make: () => {
      const users = new InMemoryUserRepository();
      return {
        users,
        tokens: new InMemoryAccessTokenRepository((userId) => users.findById(userId)),
        run: (work) => work(),
      };
    },
  },
  {
    name: 'PostgreSQL',
    make: () => ({
      users: new MikroOrmUserRepository(orm.em),
      tokens: new MikroOrmAccessTokenRepository(orm.em),
      run: (work) => RequestContext.create(orm.em, work),
    }),
  },
];

const t0 = new Date('2026-11-22T10:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe.each(implementations)('access-token repository ($name)', ({ make }) => {
  let repos: Repositories;
  beforeAll(() => {
    repos = make();
  });

  async function aStoredUser(): Promise<User> {
    const user = User.register({
      id: randomUUID(),
      email: `u-${randomUUID()}@example.com`,
      fullName: 'Ada Lovelace',
      passwordHash: 'h',
      now: t0,
    });
    expect(await repos.users.insert(user)).toBe(true);
    return user;
  }

  function aToken(userId: string, now = t0, expiresAt?: Date): AccessToken {
    return newAccessToken({
      id: randomUUID(),
      userId,
      name: 'CI',
      scopes: ['tasks:read', 'comments:write'],
      secret: `tmk_${randomUUID()}`,
      now,
      expiresAt,
    })._unsafeUnwrap();
  }

  async function aStoredToken(userId: string, now = t0, expiresAt?: Date) {
    const token = aToken(userId, now, expiresAt);
    const hash = `hash-${randomUUID()}`;
    expect(await repos.tokens.insertWithinLimit(token, hash, 100)).toBe(true);
    return { token, hash };
  }

  it('finds a token by its secret’s hash with its user’s standing; an unknown hash is undefined', () =>
    repos.run(async () => {
      const user = await aStoredUser();
      const { token, hash } = await aStoredToken(user.id);
      expect(await repos.tokens.findBySecretHash(hash)).toEqual({
        token,
        userActive: true,
        role: 'user',
      });
      expect(await repos.tokens.findBySecretHash(`hash-${randomUUID()}`)).toBeUndefined();
      user.setActive(false, at(1));
      await repos.users.update(user);
      expect((await repos.tokens.findBySecretHash(hash))?.userActive).toBe(false);
    }));

  it('stores within the limit, counting neither revoked nor expired tokens', () =>
    repos.run(async () => {
      const user = await aStoredUser();
      const { token: first } = await aStoredToken(user.id);
      await aStoredToken(user.id, t0, at(10));
      // At t0 + 20 s: the second has expired, so one live token counts against a limit of 2.
      expect(
        await repos.tokens.insertWithinLimit(aToken(user.id, at(20)), `h-${randomUUID()}`, 2),
      ).toBe(true);
      expect(
        await repos.tokens.insertWithinLimit(aToken(user.id, at(20)), `h-${randomUUID()}`, 2),
      ).toBe(false);
      expect(await repos.tokens.revoke(user.id, first.id, at(21))).toBe(true);
      expect(
        await repos.tokens.insertWithinLimit(aToken(user.id, at(22)), `h-${randomUUID()}`, 2),
      ).toBe(true);
    }));

  it('refuses a token for a user that does not exist', () =>
    repos.run(async () => {
      expect(
        await repos.tokens.insertWithinLimit(aToken(randomUUID()), `h-${randomUUID()}`, 5),
      ).toBe(false);
    }));

  it('lets parallel creations together stay within the limit', () =>
    repos.run(async () => {
      const user = await aStoredUser();
      const results = await Promise.all(
        Array.from({ length: 6 }, () =>
          repos.run(() => repos.tokens.insertWithinLimit(aToken(user.id), `h-${randomUUID()}`, 3)),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(3);
      expect(await repos.tokens.listForUser(user.id)).toHaveLength(3);
    }));

  it('lists a user’s unrevoked tokens newest first, expired ones included, nobody else’s', () =>
    repos.run(async () => {
      const user = await aStoredUser();
      const { token: expired } = await aStoredToken(user.id, t0, at(1));
      const { token: newer } = await aStoredToken(user.id, at(5));
      const { token: revoked } = await aStoredToken(user.id, at(6));
      await repos.tokens.revoke(user.id, revoked.id, at(7));
      await aStoredToken((await aStoredUser()).id, at(8));
      expect(await repos.tokens.listForUser(user.id)).toEqual([newer, expired]);
    }));

  it('revokes only the owner’s unrevoked token, and all of a user’s at once', () =>
    repos.run(async () => {
      const user = await aStoredUser();
      const other = await aStoredUser();
      const { token, hash } = await aStoredToken(user.id);
      await aStoredToken(user.id);
      const { hash: othersHash } = await aStoredToken(other.id);
      expect(await repos.tokens.revoke(other.id, token.id, at(1))).toBe(false);
      expect(await repos.tokens.revoke(user.id, token.id, at(1))).toBe(true);
      expect(await repos.tokens.revoke(user.id, token.id, at(2))).toBe(false);
      expect((await repos.tokens.findBySecretHash(hash))?.token.revokedAt).toEqual(at(1));
      expect(await repos.tokens.revokeAllForUser(user.id, at(3))).toBe(1);
      expect(await repos.tokens.listForUser(user.id)).toEqual([]);
      expect((await repos.tokens.findBySecretHash(othersHash))?.token.revokedAt).toBeUndefined();
    }));

  it('records a use only when none is stored within the precision', () =>
    repos.run(async () => {
      const user = await aStoredUser();
      const { token, hash } = await aStoredToken(user.id);
      const lastUsed = async () => (await repos.tokens.findBySecretHash(hash))?.token.lastUsedAt;
      await repos.tokens.recordUse(token.id, at(10), 60);
      expect(await lastUsed()).toEqual(at(10));
      await repos.tokens.recordUse(token.id, at(69), 60);
      expect(await lastUsed()).toEqual(at(10));
      await repos.tokens.recordUse(token.id, at(70), 60);
      expect(await lastUsed()).toEqual(at(70));
    }));
});
