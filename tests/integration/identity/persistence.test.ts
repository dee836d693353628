import { RequestContext } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { entities } from '../../../src/container.ts';
import { MikroOrmOneTimeTokenRepository } from '../../../src/modules/identity/adapters/persistence/mikro-orm-one-time-token-repository.ts';
import { MikroOrmSessionRepository } from '../../../src/modules/identity/adapters/persistence/mikro-orm-session-repository.ts';
import { MikroOrmTransactionRunner } from '../../../src/shared/infra/mikro-orm-transaction-runner.ts';
import { MikroOrmUserRepository } from '../../../src/modules/identity/adapters/persistence/mikro-orm-user-repository.ts';
import { newSession } from '../../../src/modules/identity/domain/session.ts';
import {
  LOCKOUT_MINUTES,
  LOGIN_LOCKOUT,
  MAX_FAILED_LOGINS,
  User,
} from '../../../src/modules/identity/domain/user.ts';
import { initOrm, type Orm } from '../../../src/shared/infra/orm.ts';

let orm: Orm;
let em: EntityManager;
beforeAll(async () => {
  orm = await initOrm({ databaseUrl: inject('databaseUrl'), entities, poolMax: 6 });
  em = orm.em;
});
afterAll(() => orm.close());

const inContext = <T>(work: () => Promise<T>) => RequestContext.create(orm.em, work);
const now = new Date('2026-11-22T10:00:00Z');

function aUser(email = `u-${randomUUID()}@example.com`) {
  return User.register({
    id: randomUUID(),
    email,
    fullName: 'Ada Lovelace',
    passwordHash: 'h',
    now,
  });
}

describe('MikroOrmUserRepository', () => {
  it('round-trips a user and refuses a duplicate email', async () => {
    const users = new MikroOrmUserRepository(em);
    const user = aUser();
    await inContext(async () => {
      expect(await users.insert(user)).toBe(true);
      expect(await users.insert(aUser(user.email))).toBe(false);
      user.rename('Ada King', new Date(now.getTime() + 1000));
      await users.update(user);
      const loaded = await users.findByEmail(user.email);
      expect(loaded?.toProps()).toEqual(user.toProps());
      expect(user.pendingChanges()).toEqual({});
    });
  });

  it('writes only what each copy changed, so a stale copy does not undo a concurrent change', async () => {
    const users = new MikroOrmUserRepository(em);
    const user = aUser();
    const later = new Date(now.getTime() + 60_000);
    await inContext(async () => {
      await users.insert(user);
      const seenByAdmin = (await users.findById(user.id))!;
      const seenByOwner = (await users.findById(user.id))!;

      seenByAdmin.setActive(false, later);
      await users.update(seenByAdmin);
      seenByOwner.changePassword('new-hash', later);
      await users.update(seenByOwner);

      expect((await users.findById(user.id))?.toProps()).toEqual({
        ...user.toProps(),
        isActive: false,
        passwordHash: 'new-hash',
        updatedAt: later,
      });
    });
  });

  it('lists users newest first and searches email and name without treating % as a wildcard', async () => {
    const users = new MikroOrmUserRepository(em);
    const tag = randomUUID().slice(0, 8);
    await inContext(async () => {
      for (const name of ['one', 'two', 'three'])
        await users.insert(aUser(`${name}-${tag}@example.com`));
      const found = await users.list({ page: 1, limit: 2, q: tag });
      expect(found.total).toBe(3);
      expect(found.items).toHaveLength(2);
      // A wildcard `%` would match all three; taken literally it matches none of this test's users.
      expect((await users.list({ page: 1, limit: 10, q: `${tag}%` })).total).toBe(0);
    });
  });
});

describe('MikroOrmUserRepository login attempts', () => {
  let users: MikroOrmUserRepository;
  beforeAll(() => {
    users = new MikroOrmUserRepository(em);
  });
  const lockMs = LOCKOUT_MINUTES * 60_000;
  const stored = (id: string) => inContext(() => users.findById(id));

  async function aStoredUser() {
    const user = aUser();
    await inContext(() => users.insert(user));
    return user;
  }

  it('admits exactly the allowed number of parallel attempts and refuses the rest as locked', async () => {
    const user = await aStoredUser();
    const parallel = 20;

    const admissions = await Promise.all(
      Array.from({ length: parallel }, () =>
        inContext(() => users.beginLoginAttempt(user.id, now, LOGIN_LOCKOUT)),
      ),
    );

    expect(admissions.filter((a) => !a.locked)).toHaveLength(MAX_FAILED_LOGINS);
    expect(admissions.filter((a) => a.locked)).toEqual(
      Array.from({ length: parallel - MAX_FAILED_LOGINS }, () => ({
        locked: true,
        retryAfterSeconds: LOCKOUT_MINUTES * 60,
      })),
    );
    expect((await stored(user.id))?.toProps()).toMatchObject({
      failedLoginCount: MAX_FAILED_LOGINS,
      lockedUntil: new Date(now.getTime() + lockMs),
      updatedAt: user.updatedAt,
    });
  });

  it('keeps the lock until exactly its end, then counts afresh from one', async () => {
    const user = await aStoredUser();
    const policy = { maxFailures: 3, lockMinutes: 2 };
    const end = now.getTime() + 2 * 60_000;
    const attemptAt = (ms: number) =>
      inContext(() => users.beginLoginAttempt(user.id, new Date(ms), policy));

    for (let i = 0; i < policy.maxFailures; i++)
      expect(await attemptAt(now.getTime())).toEqual({ locked: false });
    expect(await attemptAt(end - 60_000)).toEqual({ locked: true, retryAfterSeconds: 60 });
    expect(await attemptAt(end - 1)).toEqual({ locked: true, retryAfterSeconds: 1 });
    expect((await stored(user.id))?.failedLoginCount).toBe(policy.maxFailures);

    expect(await attemptAt(end)).toEqual({ locked: false });
    expect((await stored(user.id))?.toProps()).toMatchObject({
      failedLoginCount: 1,
      lockedUntil: undefined,
    });
  });

  it('clears the count and lifts a lock', async () => {
    const user = await aStoredUser();
    for (let i = 0; i < MAX_FAILED_LOGINS; i++)
      await inContext(() => users.beginLoginAttempt(user.id, now, LOGIN_LOCKOUT));

    await inContext(() => users.clearLoginFailures(user.id));

    expect((await stored(user.id))?.toProps()).toMatchObject({
      failedLoginCount: 0,
      lockedUntil: undefined,
    });
    expect(await inContext(() => users.beginLoginAttempt(user.id, now, LOGIN_LOCKOUT))).toEqual({
      locked: false,
    });
    expect((await stored(user.id))?.failedLoginCount).toBe(1);
  });
});

describe('MikroOrmSessionRepository', () => {
  async function aSession() {
    const users = new MikroOrmUserRepository(em);
    const sessions = new MikroOrmSessionRepository(em);
    const user = aUser();
    const session = newSession({
      id: randomUUID(),
      userId: user.id,
      now,
      userAgent: 'vitest',
      ip: '127.0.0.1',
    });
    await inContext(async () => {
      await users.insert(user);
      await sessions.insert(session, `h0-${session.id}`);
    });
    return { sessions, session, user };
  }

  it('tracks where each refresh token stands as the chain rotates', async () => {
    const { sessions, session } = await aSession();
    const h = (n: number) => `h${n}-${session.id}`;
    await inContext(async () => {
      expect((await sessions.findByRefreshTokenHash(h(0)))?.standing).toEqual({ kind: 'current' });
      expect(await sessions.rotate(session.id, h(0), h(1), now)).toBe(true);
      expect((await sessions.findByRefreshTokenHash(h(0)))?.standing).toEqual({
        kind: 'previous',
        rotatedAt: now,
      });
      expect(await sessions.rotate(session.id, h(1), h(2), now)).toBe(true);
      expect((await sessions.findByRefreshTokenHash(h(0)))?.standing).toEqual({ kind: 'older' });
      expect((await sessions.findByRefreshTokenHash(h(2)))?.standing).toEqual({ kind: 'current' });
      expect(await sessions.findByRefreshTokenHash('unknown')).toBeUndefined();
    });
  });

  it('lets exactly one of many concurrent rotations of the same token win', async () => {
    const { sessions, session } = await aSession();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        inContext(() =>
          sessions.rotate(session.id, `h0-${session.id}`, `next${i}-${session.id}`, now),
        ),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('revokes all live sessions of a user except one and lists only live ones', async () => {
    const { sessions, session, user } = await aSession();
    const other = newSession({ id: randomUUID(), userId: user.id, now });
    await inContext(async () => {
      await sessions.insert(other, `x-${other.id}`);
      expect((await sessions.listActiveForUser(user.id, now)).map((s) => s.id).sort()).toEqual(
        [session.id, other.id].sort(),
      );
      expect(await sessions.revokeAllForUser(user.id, now, session.id)).toEqual([other.id]);
      expect((await sessions.listActiveForUser(user.id, now)).map((s) => s.id)).toEqual([
        session.id,
      ]);
      expect(await sessions.rotate(other.id, `x-${other.id}`, `y-${other.id}`, now)).toBe(false);
    });
  });
});

describe('MikroOrmOneTimeTokenRepository', () => {
  it('consumes a token once, and never when expired, of another purpose or invalidated', async () => {
    const users = new MikroOrmUserRepository(em);
    const tokens = new MikroOrmOneTimeTokenRepository(em);
    const user = aUser();
    const later = new Date(now.getTime() + 3_600_000);
    const token = (hash: string) => ({
      id: randomUUID(),
      userId: user.id,
      purpose: 'password_reset' as const,
      hash,
      expiresAt: later,
      createdAt: now,
    });
    await inContext(async () => {
      await users.insert(user);
      await tokens.insert(token(`a-${user.id}`));
      await tokens.insert(token(`b-${user.id}`));
      await tokens.insert(token(`c-${user.id}`));
      expect(await tokens.peek('password_reset', `a-${user.id}`, now)).toBe(user.id);
      expect(await tokens.consume('verify_email', `a-${user.id}`, now)).toBeUndefined();
      const concurrent = await Promise.all(
        [1, 2, 3].map(() => tokens.consume('password_reset', `a-${user.id}`, now)),
      );
      expect(concurrent.filter(Boolean)).toEqual([user.id]);
      expect(await tokens.consume('password_reset', `b-${user.id}`, later)).toBeUndefined();
      await tokens.invalidateAll(user.id, 'password_reset', now);
      expect(await tokens.consume('password_reset', `c-${user.id}`, now)).toBeUndefined();
    });
  });
});

describe('MikroOrmTransactionRunner', () => {
  it('refuses a taken email without aborting the transaction, which then goes on and commits', async () => {
    const users = new MikroOrmUserRepository(em);
    const transactions = new MikroOrmTransactionRunner(em);
    const taken = aUser();
    const duplicate = aUser(taken.email);
    const next = aUser();
    await inContext(async () => {
      await users.insert(taken);
      const inserted = await transactions.run(async () => [
        await users.insert(duplicate),
        await users.insert(next),
      ]);

      expect(inserted).toEqual([false, true]);
      expect(await users.findById(duplicate.id)).toBeUndefined();
      expect(await users.findById(next.id)).toBeDefined();
    });
  });

  it('rolls back every repository write of a failed unit of work', async () => {
    const users = new MikroOrmUserRepository(em);
    const transactions = new MikroOrmTransactionRunner(em);
    const first = aUser();
    const second = aUser();
    await inContext(async () => {
      await expect(
        transactions.run(async () => {
          await users.insert(first);
          await users.insert(second);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await users.findById(first.id)).toBeUndefined();
      expect(await users.findById(second.id)).toBeUndefined();
    });
  });
});
