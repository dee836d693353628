import { RequestContext } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { entities } from '../../../src/container.ts';
import { MikroOrmOneTimeTokenRepository } from '../../../src/modules/identity/adapters/persistence/mikro-orm-one-time-token-repository.ts';
import { MikroOrmSessionRepository } from '../../../src/modules/identity/adapters/persistence/mikro-orm-session-repository.ts';
import { MikroOrmUserRepository } from '../../../src/modules/identity/adapters/persistence/mikro-orm-user-repository.ts';
import type {
  OneTimeTokenRepository,
  SessionRepository,
  UserRepository,
} from '../../../src/modules/identity/application/ports.ts';
import { newSession, type Session } from '../../../src/modules/identity/domain/session.ts';
import { LOGIN_LOCKOUT, User } from '../../../src/modules/identity/domain/user.ts';
import { initOrm, type Orm } from '../../../src/shared/infra/orm.ts';
import { InMemoryOneTimeTokenRepository } from '../../support/identity/in-memory-one-time-token-repository.ts';
import { InMemorySessionRepository } from '../../support/identity/in-memory-session-repository.ts';
import { InMemoryUserRepository } from '../../support/identity/in-memory-user-repository.ts';

/**
 * The identity repositories' contract, run against the in-memory fakes the unit tests use and
 * against PostgreSQL: a fake that drifts from the real repository fails here.
 */
interface Repositories {
  users: UserRepository;
  sessions: SessionRepository;
  tokens: OneTimeTokenRepository;
  /** Runs a case where the real repositories work: inside a request context. */
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
        // The sessions fake reads the users' active flag, as the real query joins `users`.
        sessions: new InMemorySessionRepository(
          async (userId) => (await users.findById(userId))?.isActive ?? false,
        ),
        tokens: new InMemoryOneTimeTokenRepository(),
        run: (work) => work(),
      };
    },
  },
  {
    name: 'PostgreSQL',
    make: () => ({
      users: new MikroOrmUserRepository(orm.em),
      sessions: new MikroOrmSessionRepository(orm.em),
      tokens: new MikroOrmOneTimeTokenRepository(orm.em),
      run: (work) => RequestContext.create(orm.em, work),
    }),
  },
];

const t0 = new Date('2026-11-22T10:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
/** A tag no other case's data contains, so list searches see only this case's users. */
const tag = () => randomUUID().slice(0, 8);

function aUser(email = `u-${randomUUID()}@example.com`, fullName = 'Ada Lovelace', now = t0) {
  return User.register({ id: randomUUID(), email, fullName, passwordHash: 'h', now });
}

describe.each(implementations)('identity repositories ($name)', ({ make }) => {
  let repos: Repositories;
  beforeAll(() => {
    repos = make();
  });

  async function aStoredUser(email?: string, fullName?: string, now?: Date): Promise<User> {
    const user = aUser(email, fullName, now);
    expect(await repos.users.insert(user)).toBe(true);
    return user;
  }

  async function aStoredSession(userId: string, hash: string, now = t0): Promise<Session> {
    const session = newSession({ id: randomUUID(), userId, now, userAgent: 'ua', ip: '10.0.0.1' });
    await repos.sessions.insert(session, hash);
    return session;
  }

  describe('users', () => {
    it('round-trips a user by id and by email; an unknown one is undefined', () =>
      repos.run(async () => {
        const user = await aStoredUser();
        expect((await repos.users.findById(user.id))?.toProps()).toEqual(user.toProps());
        expect((await repos.users.findByEmail(user.email))?.toProps()).toEqual(user.toProps());
        expect(await repos.users.findById(randomUUID())).toBeUndefined();
        expect(await repos.users.findByEmail(`none-${randomUUID()}@example.com`)).toBeUndefined();
      }));

    it('refuses a second user with the same email', () =>
      repos.run(async () => {
        const user = await aStoredUser();
        expect(await repos.users.insert(aUser(user.email))).toBe(false);
      }));

    it('writes only the pending changes of a copy', () =>
      repos.run(async () => {
        const user = await aStoredUser();
        const a = (await repos.users.findById(user.id))!;
        const b = (await repos.users.findById(user.id))!;
        a.rename('Ada King', at(1));
        await repos.users.update(a);
        b.verifyEmail(at(2));
        await repos.users.update(b);
        const stored = (await repos.users.findById(user.id))!.toProps();
        expect(stored.fullName).toBe('Ada King');
        expect(stored.emailVerified).toBe(true);
        expect(stored.updatedAt).toEqual(at(2));
      }));

    it('counts failed logins, locks at the limit, refuses while locked and counts afresh after', () =>
      repos.run(async () => {
        const user = await aStoredUser();
        for (let i = 0; i < LOGIN_LOCKOUT.maxFailures; i++) {
          expect(await repos.users.beginLoginAttempt(user.id, at(i), LOGIN_LOCKOUT)).toEqual({
            locked: false,
          });
        }
        const lockedAt = at(LOGIN_LOCKOUT.maxFailures - 1);
        const locked = (await repos.users.findById(user.id))!.toProps();
        expect(locked.failedLoginCount).toBe(LOGIN_LOCKOUT.maxFailures);
        expect(locked.lockedUntil).toEqual(
          new Date(lockedAt.getTime() + LOGIN_LOCKOUT.lockMinutes * 60_000),
        );
        expect(await repos.users.beginLoginAttempt(user.id, at(60), LOGIN_LOCKOUT)).toEqual({
          locked: true,
          retryAfterSeconds: LOGIN_LOCKOUT.lockMinutes * 60 - (60 - LOGIN_LOCKOUT.maxFailures + 1),
        });
        const after = new Date(locked.lockedUntil!.getTime() + 1000);
        expect(await repos.users.beginLoginAttempt(user.id, after, LOGIN_LOCKOUT)).toEqual({
          locked: false,
        });
        const counted = (await repos.users.findById(user.id))!.toProps();
        expect(counted.failedLoginCount).toBe(1);
        expect(counted.lockedUntil).toBeUndefined();
      }));

    it('clears the failure count and lifts a lock', () =>
      repos.run(async () => {
        const user = await aStoredUser();
        for (let i = 0; i < LOGIN_LOCKOUT.maxFailures; i++) {
          await repos.users.beginLoginAttempt(user.id, t0, LOGIN_LOCKOUT);
        }
        await repos.users.clearLoginFailures(user.id);
        const cleared = (await repos.users.findById(user.id))!.toProps();
        expect(cleared.failedLoginCount).toBe(0);
        expect(cleared.lockedUntil).toBeUndefined();
      }));

    it('lists newest first, pages, counts, and matches the query in email or name', () =>
      repos.run(async () => {
        const mark = tag();
        const first = await aStoredUser(`a-${mark}@example.com`, 'First', at(1));
        const second = await aStoredUser(`b@${mark}.example.com`, 'Second', at(2));
        const third = await aStoredUser(`c-${randomUUID()}@example.com`, `Third ${mark}`, at(3));
        await aStoredUser(`d-${randomUUID()}@example.com`, 'Unrelated', at(4));
        const page1 = await repos.users.list({ page: 1, limit: 2, q: mark });
        expect(page1.total).toBe(3);
        expect(page1.items.map((user) => user.id)).toEqual([third.id, second.id]);
        const page2 = await repos.users.list({ page: 2, limit: 2, q: mark });
        expect(page2.items.map((user) => user.id)).toEqual([first.id]);
        expect((await repos.users.list({ page: 1, limit: 5, q: mark.toUpperCase() })).total).toBe(
          3,
        );
      }));
  });

  describe('sessions', () => {
    it('round-trips a session by id; an unknown one is undefined', () =>
      repos.run(async () => {
        const user = await aStoredUser();
        const session = await aStoredSession(user.id, `h-${randomUUID()}`);
        expect(await repos.sessions.findById(session.id)).toEqual(session);
        expect(await repos.sessions.findById(randomUUID())).toBeUndefined();
      }));

    it('tells a current, a previous and an older refresh token apart', () =>
      repos.run(async () => {
        const user = await aStoredUser();
        const [h1, h2, h3] = [1, 2, 3].map((n) => `h${n}-${randomUUID()}`) as [
          string,
          string,
          string,
        ];
        const session = await aStoredSession(user.id, h1);
        expect(await repos.sessions.rotate(session.id, h1, h2, at(10))).toBe(true);
        expect(await repos.sessions.rotate(session.id, h2, h3, at(20))).toBe(true);
        expect((await repos.sessions.findByRefreshTokenHash(h3))?.standing).toEqual({
          kind: 'current',
        });
        expect((await repos.sessions.findByRefreshTokenHash(h2))?.standing).toEqual({
          kind: 'previous',
          rotatedAt: at(20),
        });
        expect((await repos.sessions.findByRefreshTokenHash(h1))?.standing).toEqual({
          kind: 'older',
        });
        expect((await repos.sessions.findByRefreshTokenHash(h1))?.session.id).toBe(session.id);
        expect(await repos.sessions.findByRefreshTokenHash(`none-${randomUUID()}`)).toBeUndefined();
      }));

    it('rotates only from the current token, and not a revoked session', () =>
      repos.run(async () => {
        const user = await aStoredUser();
        const [h1, h2, h3] = [1, 2, 3].map((n) => `h${n}-${randomUUID()}`) as [
          string,
          string,
          string,
        ];
        const session = await aStoredSession(user.id, h1);
        expect(await repos.sessions.rotate(session.id, h1, h2, at(10))).toBe(true);
        expect(await repos.sessions.rotate(session.id, h1, h3, at(11))).toBe(false);
        await repos.sessions.revoke(session.id, at(12));
        expect(await repos.sessions.rotate(session.id, h2, h3, at(13))).toBe(false);
      }));

    it('touches, and revokes once (a second revoke keeps the first time)', () =>
      repos.run(async () => {
        const user = await aStoredUser();
        const session = await aStoredSession(user.id, `h-${randomUUID()}`);
        await repos.sessions.touch(session.id, at(5));
        await repos.sessions.revoke(session.id, at(6));
        await repos.sessions.revoke(session.id, at(7));
        expect(await repos.sessions.findById(session.id)).toEqual({
          ...session,
          lastUsedAt: at(5),
          revokedAt: at(6),
        });
      }));

    it('revokes every live session of a user but the one kept, and returns their ids', () =>
      repos.run(async () => {
        const user = await aStoredUser();
        const other = await aStoredUser();
        const kept = await aStoredSession(user.id, `h-${randomUUID()}`);
        const a = await aStoredSession(user.id, `h-${randomUUID()}`);
        const b = await aStoredSession(user.id, `h-${randomUUID()}`);
        const revokedBefore = await aStoredSession(user.id, `h-${randomUUID()}`);
        await repos.sessions.revoke(revokedBefore.id, at(1));
        const others = await aStoredSession(other.id, `h-${randomUUID()}`);
        const revoked = await repos.sessions.revokeAllForUser(user.id, at(2), kept.id);
        expect(revoked.sort()).toEqual([a.id, b.id].sort());
        expect((await repos.sessions.findById(kept.id))?.revokedAt).toBeUndefined();
        expect((await repos.sessions.findById(a.id))?.revokedAt).toEqual(at(2));
        expect((await repos.sessions.findById(revokedBefore.id))?.revokedAt).toEqual(at(1));
        expect((await repos.sessions.findById(others.id))?.revokedAt).toBeUndefined();
      }));

    it('lists a user’s live sessions, most recently used first', () =>
      repos.run(async () => {
        const user = await aStoredUser();
        const [s1, s2, s3] = [
          await aStoredSession(user.id, `h-${randomUUID()}`, at(0)),
          await aStoredSession(user.id, `h-${randomUUID()}`, at(1)),
          await aStoredSession(user.id, `h-${randomUUID()}`, at(2)),
        ];
        const revoked = await aStoredSession(user.id, `h-${randomUUID()}`, at(3));
        await repos.sessions.revoke(revoked.id, at(3));
        await repos.sessions.touch(s1.id, at(4));
        const expired = newSession({
          id: randomUUID(),
          userId: user.id,
          now: at(-1),
          lifetimeDays: 0,
        });
        await repos.sessions.insert(expired, `h-${randomUUID()}`);
        const live = await repos.sessions.listActiveForUser(user.id, at(5));
        expect(live.map((session) => session.id)).toEqual([s1.id, s3.id, s2.id]);
      }));
    it('maps the live ones among many sessions to their users: not revoked, expired or of an inactive user', () =>
      repos.run(async () => {
        const user = await aStoredUser();
        const inactive = await aStoredUser();
        const live = await aStoredSession(user.id, `h-${randomUUID()}`);
        const revoked = await aStoredSession(user.id, `h-${randomUUID()}`);
        await repos.sessions.revoke(revoked.id, at(1));
        const expired = newSession({
          id: randomUUID(),
          userId: user.id,
          now: at(-1),
          lifetimeDays: 0,
        });
        await repos.sessions.insert(expired, `h-${randomUUID()}`);
        const ofInactive = await aStoredSession(inactive.id, `h-${randomUUID()}`);
        const stored = (await repos.users.findById(inactive.id))!;
        stored.setActive(false, at(1));
        await repos.users.update(stored);
        const unknown = randomUUID();
        const found = await repos.sessions.liveAmong(
          [live.id, revoked.id, expired.id, ofInactive.id, unknown],
          at(2),
        );
        expect([...found.entries()]).toEqual([[live.id, user.id]]);
        expect((await repos.sessions.liveAmong([], at(2))).size).toBe(0);
      }));
  });

  describe('one-time tokens', () => {
    async function aToken(
      userId: string,
      purpose: 'verify_email' | 'password_reset' = 'verify_email',
    ) {
      const hash = `t-${randomUUID()}`;
      await repos.tokens.insert({
        id: randomUUID(),
        userId,
        purpose,
        hash,
        expiresAt: at(60),
        createdAt: t0,
      });
      return hash;
    }

    it('peeks without using, consumes once, and not after expiry or for another purpose', () =>
      repos.run(async () => {
        const user = await aStoredUser();
        const hash = await aToken(user.id);
        expect(await repos.tokens.peek('password_reset', hash, at(1))).toBeUndefined();
        expect(await repos.tokens.peek('verify_email', hash, at(60))).toBeUndefined();
        expect(await repos.tokens.peek('verify_email', hash, at(1))).toBe(user.id);
        expect(await repos.tokens.consume('verify_email', hash, at(60))).toBeUndefined();
        expect(await repos.tokens.consume('verify_email', hash, at(2))).toBe(user.id);
        expect(await repos.tokens.consume('verify_email', hash, at(3))).toBeUndefined();
        expect(await repos.tokens.peek('verify_email', hash, at(3))).toBeUndefined();
      }));

    it('invalidates every unused token of a user for one purpose only', () =>
      repos.run(async () => {
        const user = await aStoredUser();
        const a = await aToken(user.id, 'password_reset');
        const b = await aToken(user.id, 'password_reset');
        const other = await aToken(user.id, 'verify_email');
        await repos.tokens.invalidateAll(user.id, 'password_reset', at(1));
        expect(await repos.tokens.consume('password_reset', a, at(2))).toBeUndefined();
        expect(await repos.tokens.consume('password_reset', b, at(2))).toBeUndefined();
        expect(await repos.tokens.consume('verify_email', other, at(2))).toBe(user.id);
      }));
  });
});
