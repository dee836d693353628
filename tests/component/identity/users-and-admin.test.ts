import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/test-app.ts';
import {
  bearer,
  body,
  json,
  logIn,
  makeAdmin,
  register,
  uniqueEmail,
} from '../../support/identity/http-client.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_AUTH_PER_MINUTE: '100000' });
});
afterAll(() => t.close());

type Problem = { code: string; errors?: Array<{ field: string }> };
type UserJson = { id: string; email: string; full_name: string; role: string; is_active: boolean };
const patch = (path: string, token: string, payload: unknown) =>
  t.app.request(path, bearer(token, { ...json(payload), method: 'PATCH' }));

async function anAdmin() {
  const admin = await register(t, uniqueEmail('admin'));
  await makeAdmin(t, admin.email);
  return admin;
}

describe('GET/PATCH /api/v1/users/me', () => {
  it('returns and renames the caller', async () => {
    const signed = await register(t);
    const got = await t.app.request('/api/v1/users/me', bearer(signed.accessToken));
    expect(got.status).toBe(200);
    expect(await body<UserJson>(got)).toMatchObject({
      id: signed.userId,
      email: signed.email,
      role: 'user',
    });

    const renamed = await patch('/api/v1/users/me', signed.accessToken, {
      full_name: '  Grace Hopper ',
    });
    expect(renamed.status).toBe(200);
    expect((await body<UserJson>(renamed)).full_name).toBe('Grace Hopper');
    const reread = await body<UserJson>(
      await t.app.request('/api/v1/users/me', bearer(signed.accessToken)),
    );
    expect(reread.full_name).toBe('Grace Hopper');
  });

  it('refuses an empty or overlong name (400) and anonymous callers (401)', async () => {
    const signed = await register(t);
    expect((await patch('/api/v1/users/me', signed.accessToken, { full_name: '   ' })).status).toBe(
      400,
    );
    expect(
      (await patch('/api/v1/users/me', signed.accessToken, { full_name: 'x'.repeat(101) })).status,
    ).toBe(400);
    expect((await t.app.request('/api/v1/users/me')).status).toBe(401);
    expect(
      (await t.app.request('/api/v1/users/me', { ...json({ full_name: 'A' }), method: 'PATCH' }))
        .status,
    ).toBe(401);
  });
});

describe('admin routes', () => {
  it('lists users newest first with paging and search for admins', async () => {
    const admin = await anAdmin();
    const tag = uniqueEmail('find').split('@')[0]!;
    for (const n of [1, 2, 3]) await register(t, `${tag}-${n}@example.test`);
    const res = await t.app.request(
      `/api/v1/admin/users?q=${tag}&limit=2&page=1`,
      bearer(admin.accessToken),
    );
    expect(res.status).toBe(200);
    const page = await body<{ items: UserJson[]; total: number; page: number; limit: number }>(res);
    expect(page).toMatchObject({ total: 3, page: 1, limit: 2 });
    expect(page.items.map((u) => u.email)).toEqual([
      `${tag}-3@example.test`,
      `${tag}-2@example.test`,
    ]);
    const second = await body<{ items: UserJson[] }>(
      await t.app.request(`/api/v1/admin/users?q=${tag}&limit=2&page=2`, bearer(admin.accessToken)),
    );
    expect(second.items.map((u) => u.email)).toEqual([`${tag}-1@example.test`]);
    expect(
      (await t.app.request('/api/v1/admin/users?limit=101', bearer(admin.accessToken))).status,
    ).toBe(400);
  });

  it('refuses non-admins (403 forbidden) and anonymous callers (401)', async () => {
    const user = await register(t);
    const list = await t.app.request('/api/v1/admin/users', bearer(user.accessToken));
    expect(list.status).toBe(403);
    expect((await body<Problem>(list)).code).toBe('forbidden');
    expect(
      (await patch(`/api/v1/admin/users/${user.userId}`, user.accessToken, { role: 'admin' }))
        .status,
    ).toBe(403);
    expect((await t.app.request('/api/v1/admin/users')).status).toBe(401);
  });

  it('promotes a user, whose next admin request succeeds', async () => {
    const admin = await anAdmin();
    const user = await register(t);
    const res = await patch(`/api/v1/admin/users/${user.userId}`, admin.accessToken, {
      role: 'admin',
    });
    expect(res.status).toBe(200);
    expect((await body<UserJson>(res)).role).toBe('admin');
    expect((await t.app.request('/api/v1/admin/users', bearer(user.accessToken))).status).toBe(200);
  });

  it('deactivation revokes every session at once and blocks login (403 account_disabled)', async () => {
    const admin = await anAdmin();
    const user = await register(t);
    const res = await patch(`/api/v1/admin/users/${user.userId}`, admin.accessToken, {
      is_active: false,
    });
    expect(res.status).toBe(200);
    expect((await body<UserJson>(res)).is_active).toBe(false);
    expect((await t.app.request('/api/v1/users/me', bearer(user.accessToken))).status).toBe(401);
    expect(
      (await t.app.request('/api/v1/auth/refresh', json({ refresh_token: user.refreshToken })))
        .status,
    ).toBe(401);
    const login = await t.app.request(
      '/api/v1/auth/login',
      json({ email: user.email, password: 'a perfectly fine passphrase' }),
    );
    expect(login.status).toBe(403);
    expect((await body<Problem>(login)).code).toBe('account_disabled');

    expect(
      (await patch(`/api/v1/admin/users/${user.userId}`, admin.accessToken, { is_active: true }))
        .status,
    ).toBe(200);
    await logIn(t, user.email);
  });

  it('refuses self-demotion and self-deactivation (403 cannot_modify_self)', async () => {
    const admin = await anAdmin();
    for (const change of [{ role: 'user' }, { is_active: false }]) {
      const res = await patch(`/api/v1/admin/users/${admin.userId}`, admin.accessToken, change);
      expect(res.status).toBe(403);
      expect((await body<Problem>(res)).code).toBe('cannot_modify_self');
    }
    expect((await t.app.request('/api/v1/admin/users', bearer(admin.accessToken))).status).toBe(
      200,
    );
  });

  it('answers 404 for an unknown user and 400 for an empty or malformed change', async () => {
    const admin = await anAdmin();
    const unknown = await patch(
      '/api/v1/admin/users/0193a1f2-8b7c-7d4e-9f00-1a2b3c4d5e6f',
      admin.accessToken,
      { role: 'user' },
    );
    expect(unknown.status).toBe(404);
    const user = await register(t);
    expect((await patch(`/api/v1/admin/users/${user.userId}`, admin.accessToken, {})).status).toBe(
      400,
    );
    expect(
      (await patch(`/api/v1/admin/users/${user.userId}`, admin.accessToken, { role: 'root' }))
        .status,
    ).toBe(400);
    expect(
      (await patch('/api/v1/admin/users/not-a-uuid', admin.accessToken, { role: 'user' })).status,
    ).toBe(400);
  });
});
