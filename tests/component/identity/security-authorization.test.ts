import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  expectUnauthenticated,
  logIn,
  makeAdmin,
  problemOf,
  register,
  securityApp,
  uniqueEmail,
  type Account,
  type SecurityApp,
} from '../../support/security/harness.ts';
import { accessClaims, claimsOf, signHmac } from '../../support/security/jwt.ts';

const ME = '/api/v1/users/me';

interface UserJson {
  id: string;
  email: string;
  full_name: string;
  role: string;
  email_verified: boolean;
  is_active: boolean;
  created_at: string;
}

interface UserRow {
  id: string;
  email: string;
  full_name: string;
  role: string;
  email_verified: boolean;
  is_active: boolean;
  failed_login_count: number;
  created_at: Date;
}

async function row(s: SecurityApp, id: string): Promise<UserRow> {
  const [found] = await s.sql<UserRow>(
    'select id, email, full_name, role, email_verified, is_active, failed_login_count, created_at from users where id = ?',
    [id],
  );
  if (!found) throw new Error(`no user ${id}`);
  return found;
}

function patch(s: SecurityApp, path: string, token: string, body: unknown): Promise<Response> {
  return s.request(path, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function anAdmin(s: SecurityApp): Promise<Account> {
  const admin = await register(s);
  await makeAdmin(s, admin.email);
  return admin;
}

async function liveSessions(s: SecurityApp, userId: string): Promise<number> {
  const [result] = await s.sql<{ n: string }>(
    'select count(*) as n from sessions where user_id = ? and revoked_at is null',
    [userId],
  );
  return Number(result?.n);
}

describe('mass assignment', () => {
  it('ignores role, email_verified, is_active, id and other internal fields sent to register', async () => {
    const s = await securityApp();
    const email = uniqueEmail('mass');
    const chosenId = randomUUID();
    const res = await s.post('/api/v1/auth/register', {
      email,
      password: 'a perfectly fine password',
      full_name: 'Mass Assigner',
      role: 'admin',
      email_verified: true,
      is_active: false,
      id: chosenId,
      created_at: '2000-01-01T00:00:00.000Z',
      password_hash: '$2b$12$abcdefghijklmnopqrstuuQ7w5dGmC0aaaaaaaaaaaaaaaaaaaaaa',
      failed_login_count: -100,
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { access_token: string; user: UserJson };
    expect(body.user).toMatchObject({ role: 'user', email_verified: false, is_active: true });
    expect(body.user.id).not.toBe(chosenId);
    expect(body.user.created_at).not.toBe('2000-01-01T00:00:00.000Z');

    const stored = await row(s, body.user.id);
    expect(stored).toMatchObject({
      role: 'user',
      email_verified: false,
      is_active: true,
      failed_login_count: 0,
    });
    expect(await s.sql('select id from users where id = ?', [chosenId])).toEqual([]);
    expect((await s.get(ME, body.access_token)).status).toBe(200);
    expect((await problemOf(await s.get('/api/v1/admin/users', body.access_token), 403)).code).toBe(
      'forbidden',
    );
    // The supplied hash was not stored: the chosen password still works.
    expect((await logIn(s, email, 'a perfectly fine password')).status).toBe(200);
  });

  it('changes only full_name through PATCH /users/me, whatever else the body carries', async () => {
    const s = await securityApp();
    const v = await register(s);
    const before = await row(s, v.id);
    const res = await patch(s, ME, v.accessToken, {
      full_name: 'Renamed',
      role: 'admin',
      email: uniqueEmail('takeover'),
      email_verified: true,
      is_active: false,
      id: randomUUID(),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as UserJson).full_name).toBe('Renamed');
    const after = await row(s, v.id);
    expect(after).toEqual({ ...before, full_name: 'Renamed' });
  });

  it('lets an admin change only role and is_active of another user, not email or verification', async () => {
    const s = await securityApp();
    const admin = await anAdmin(s);
    const target = await register(s);
    const before = await row(s, target.id);
    const res = await patch(s, `/api/v1/admin/users/${target.id}`, admin.accessToken, {
      role: 'admin',
      email: uniqueEmail('moved'),
      email_verified: true,
      full_name: 'Overwritten',
    });
    expect(res.status).toBe(200);
    expect(await row(s, target.id)).toEqual({ ...before, role: 'admin' });
  });
});

describe('admin routes', () => {
  it('answers 403 to a non-admin on both admin routes, including an attempt to promote themself', async () => {
    const s = await securityApp();
    const v = await register(s);
    const other = await register(s);
    expect((await problemOf(await s.get('/api/v1/admin/users', v.accessToken), 403)).code).toBe(
      'forbidden',
    );
    for (const id of [other.id, v.id]) {
      const res = await patch(s, `/api/v1/admin/users/${id}`, v.accessToken, { role: 'admin' });
      expect((await problemOf(res, 403)).code).toBe('forbidden');
    }
    const deactivate = await patch(s, `/api/v1/admin/users/${other.id}`, v.accessToken, {
      is_active: false,
    });
    await problemOf(deactivate, 403);
    expect((await row(s, v.id)).role).toBe('user');
    expect((await row(s, other.id)).is_active).toBe(true);
  });

  it('answers 403 to a correctly signed token whose role claim says admin for a user who is not one', async () => {
    const s = await securityApp();
    const v = await register(s);
    const claims = accessClaims(
      { sub: v.id, sid: claimsOf(v.accessToken).sid, role: 'admin' },
      s.clock.now(),
    );
    const token = signHmac('HS256', claims, s.container.config.jwt.secret);
    expect((await s.get(ME, token)).status).toBe(200);
    await problemOf(await s.get('/api/v1/admin/users', token), 403);
  });

  it('stops an admin from demoting or deactivating themself (403 cannot_modify_self)', async () => {
    const s = await securityApp();
    const admin = await anAdmin(s);
    for (const body of [
      { role: 'user' },
      { is_active: false },
      { role: 'user', is_active: false },
    ]) {
      const res = await patch(s, `/api/v1/admin/users/${admin.id}`, admin.accessToken, body);
      expect((await problemOf(res, 403)).code).toBe('cannot_modify_self');
    }
    expect(await row(s, admin.id)).toMatchObject({ role: 'admin', is_active: true });
    expect((await s.get('/api/v1/admin/users', admin.accessToken)).status).toBe(200);
  });

  it('ends a deactivated user’s access at once: access token 401, refresh token 401, login 403, sessions revoked', async () => {
    const s = await securityApp();
    const admin = await anAdmin(s);
    const target = await register(s);
    const second = (await (await logIn(s, target.email, target.password)).json()) as {
      access_token: string;
    };
    // Used first, so the session is cached as live and must be un-cached by the deactivation.
    expect((await s.get(ME, target.accessToken)).status).toBe(200);
    expect((await s.get(ME, second.access_token)).status).toBe(200);

    const res = await patch(s, `/api/v1/admin/users/${target.id}`, admin.accessToken, {
      is_active: false,
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as UserJson).is_active).toBe(false);

    await expectUnauthenticated(await s.get(ME, target.accessToken));
    await expectUnauthenticated(await s.get(ME, second.access_token));
    await expectUnauthenticated(
      await s.post('/api/v1/auth/refresh', { refresh_token: target.refreshToken }),
    );
    expect((await problemOf(await logIn(s, target.email, target.password), 403)).code).toBe(
      'account_disabled',
    );
    expect(await liveSessions(s, target.id)).toBe(0);
  });

  it('does not revive old sessions when a deactivated user is reactivated', async () => {
    const s = await securityApp();
    const admin = await anAdmin(s);
    const target = await register(s);
    expect(
      (await patch(s, `/api/v1/admin/users/${target.id}`, admin.accessToken, { is_active: false }))
        .status,
    ).toBe(200);
    expect(
      (await patch(s, `/api/v1/admin/users/${target.id}`, admin.accessToken, { is_active: true }))
        .status,
    ).toBe(200);
    await expectUnauthenticated(await s.get(ME, target.accessToken));
    await expectUnauthenticated(
      await s.post('/api/v1/auth/refresh', { refresh_token: target.refreshToken }),
    );
    expect((await logIn(s, target.email, target.password)).status).toBe(200);
  });

  it('takes admin rights away at once on demotion, even from a token whose claim still says admin', async () => {
    const s = await securityApp();
    const admin = await anAdmin(s);
    const other = await register(s);
    expect(
      (await patch(s, `/api/v1/admin/users/${other.id}`, admin.accessToken, { role: 'admin' }))
        .status,
    ).toBe(200);
    const refreshed = await s.post('/api/v1/auth/refresh', { refresh_token: other.refreshToken });
    const promoted = (await refreshed.json()) as { access_token: string };
    expect(claimsOf(promoted.access_token).role).toBe('admin');
    expect((await s.get('/api/v1/admin/users', promoted.access_token)).status).toBe(200);

    expect(
      (await patch(s, `/api/v1/admin/users/${other.id}`, admin.accessToken, { role: 'user' }))
        .status,
    ).toBe(200);
    await problemOf(await s.get('/api/v1/admin/users', promoted.access_token), 403);
    await problemOf(
      await patch(s, `/api/v1/admin/users/${admin.id}`, promoted.access_token, { role: 'user' }),
      403,
    );
    expect((await row(s, admin.id)).role).toBe('admin');
  });

  it('answers 400 for a malformed user id and 404 for an unknown one', async () => {
    const s = await securityApp();
    const admin = await anAdmin(s);
    await problemOf(
      await patch(s, '/api/v1/admin/users/not-a-uuid', admin.accessToken, { role: 'user' }),
      400,
    );
    await problemOf(
      await patch(s, `/api/v1/admin/users/${randomUUID()}`, admin.accessToken, { role: 'user' }),
      404,
    );
  });
});
