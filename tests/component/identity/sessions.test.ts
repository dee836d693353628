import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/test-app.ts';
import { TestSmtpServer } from '../../support/smtp-server.ts';
import {
  bearer,
  body,
  json,
  logIn,
  PASSWORD,
  register,
  uniqueEmail,
} from '../../support/identity/http-client.ts';

let t: TestApp;
const smtp = new TestSmtpServer();
beforeAll(async () => {
  await smtp.start();
  t = await createTestApp({ SMTP_URL: smtp.url, RATE_LIMIT_AUTH_PER_MINUTE: '100000' });
});
afterAll(async () => {
  await t.close();
  await smtp.stop();
});

type Problem = { code: string; status: number; errors?: Array<{ field: string }> };
const me = (token: string) => t.app.request('/api/v1/users/me', bearer(token));

describe('POST /api/v1/auth/register', () => {
  it('creates the account, signs it in and mails a verification link', async () => {
    const email = uniqueEmail('Reg');
    const res = await t.app.request(
      '/api/v1/auth/register',
      json({ email: `  ${email.toUpperCase()} `, password: PASSWORD, full_name: 'Ada Lovelace' }),
    );
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const out = await body<{
      token_type: string;
      expires_in: number;
      access_token: string;
      user: Record<string, unknown>;
    }>(res);
    expect(out).toMatchObject({ token_type: 'Bearer', expires_in: 1800 });
    expect(out.user).toMatchObject({
      email: email.toLowerCase(),
      full_name: 'Ada Lovelace',
      role: 'user',
      email_verified: false,
      is_active: true,
    });
    expect((await me(out.access_token)).status).toBe(200);
    expect(await smtp.tokenFor(email.toLowerCase(), 'verify-email')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses an email that is taken, whatever its case (409 email_taken)', async () => {
    const { email } = await register(t);
    const res = await t.app.request(
      '/api/v1/auth/register',
      json({ email: email.toUpperCase(), password: PASSWORD, full_name: 'Copy' }),
    );
    expect(res.status).toBe(409);
    expect((await body<Problem>(res)).code).toBe('email_taken');
  });

  it.each([
    ['a common password', 'password123'],
    ['a password equal to the email', 'EMAIL'],
    ['a password under 8 characters', 'short1'],
  ])('refuses %s (400 weak_password)', async (_, password) => {
    const email = uniqueEmail();
    const res = await t.app.request(
      '/api/v1/auth/register',
      json({ email, password: password === 'EMAIL' ? email : password, full_name: 'Weak' }),
    );
    expect(res.status).toBe(400);
    const problem = await body<Problem>(res);
    expect(problem.code).toBe('weak_password');
    expect(problem.errors?.[0]?.field).toBe('password');
    expect((await t.app.request('/api/v1/auth/login', json({ email, password }))).status).toBe(401);
  });

  it('answers malformed input with 400 validation_failed naming each field', async () => {
    const res = await t.app.request(
      '/api/v1/auth/register',
      json({ email: 'not-an-email', full_name: 7 }),
    );
    expect(res.status).toBe(400);
    const problem = await body<Problem>(res);
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors?.map((e) => e.field).sort()).toEqual(
      expect.arrayContaining(['full_name', 'password']),
    );
  });
});

describe('POST /api/v1/auth/login', () => {
  it('signs in with the right password', async () => {
    const { email } = await register(t);
    const res = await t.app.request(
      '/api/v1/auth/login',
      json({ email: email.toUpperCase(), password: PASSWORD }),
    );
    expect(res.status).toBe(200);
    const out = await body<{ access_token: string; user: { email: string } }>(res);
    expect(out.user.email).toBe(email);
    expect((await me(out.access_token)).status).toBe(200);
  });

  it('refuses a wrong password with 401 invalid_credentials and a Bearer challenge', async () => {
    const { email } = await register(t);
    const res = await t.app.request(
      '/api/v1/auth/login',
      json({ email, password: 'not the password' }),
    );
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await body<Problem>(res)).code).toBe('invalid_credentials');
  });

  it('answers a missing password with 400', async () => {
    const res = await t.app.request('/api/v1/auth/login', json({ email: uniqueEmail() }));
    expect(res.status).toBe(400);
  });
});

describe('POST /api/v1/auth/refresh', () => {
  it('rotates: the new pair works and the old refresh token is dead', async () => {
    const signed = await register(t);
    const res = await t.app.request(
      '/api/v1/auth/refresh',
      json({ refresh_token: signed.refreshToken }),
    );
    expect(res.status).toBe(200);
    const pair = await body<{ access_token: string; refresh_token: string }>(res);
    expect(pair.refresh_token).not.toBe(signed.refreshToken);
    expect((await me(pair.access_token)).status).toBe(200);
    const again = await t.app.request(
      '/api/v1/auth/refresh',
      json({ refresh_token: signed.refreshToken }),
    );
    expect(again.status).toBe(401);
    expect((await body<Problem>(again)).code).toBe('invalid_refresh_token');
  });

  it('refuses an unknown token with 401 and a missing one with 400', async () => {
    expect(
      (await t.app.request('/api/v1/auth/refresh', json({ refresh_token: 'nope' }))).status,
    ).toBe(401);
    expect((await t.app.request('/api/v1/auth/refresh', json({}))).status).toBe(400);
  });
});

describe('logout, sessions', () => {
  it('logout revokes the session: its access and refresh tokens stop working at once', async () => {
    const signed = await register(t);
    const res = await t.app.request(
      '/api/v1/auth/logout',
      bearer(signed.accessToken, { method: 'POST' }),
    );
    expect(res.status).toBe(204);
    const after = await me(signed.accessToken);
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(
      (await t.app.request('/api/v1/auth/refresh', json({ refresh_token: signed.refreshToken })))
        .status,
    ).toBe(401);
  });

  it('logout without a token is 401', async () => {
    expect((await t.app.request('/api/v1/auth/logout', { method: 'POST' })).status).toBe(401);
  });

  it('lists live sessions with the current one marked, and logout-all ends them all', async () => {
    const first = await register(t);
    const second = await logIn(t, first.email);
    const list = await t.app.request(
      '/api/v1/auth/sessions',
      bearer(second.accessToken, { headers: { 'User-Agent': 'phone/1.0' } }),
    );
    expect(list.status).toBe(200);
    const { items } = await body<{
      items: Array<{ id: string; current: boolean; user_agent: string | null }>;
    }>(list);
    expect(items).toHaveLength(2);
    expect(items.filter((s) => s.current)).toHaveLength(1);

    expect(
      (
        await t.app.request(
          '/api/v1/auth/logout-all',
          bearer(second.accessToken, { method: 'POST' }),
        )
      ).status,
    ).toBe(204);
    expect((await me(first.accessToken)).status).toBe(401);
    expect((await me(second.accessToken)).status).toBe(401);
    expect((await t.app.request('/api/v1/auth/sessions')).status).toBe(401);
  });

  it('deletes one own session (204) and 404s for a session of another user or an unknown one', async () => {
    const owner = await register(t);
    const other = await logIn(t, owner.email);
    const stranger = await register(t);
    const { items } = await body<{ items: Array<{ id: string; current: boolean }> }>(
      await t.app.request('/api/v1/auth/sessions', bearer(owner.accessToken)),
    );
    const otherSession = items.find((s) => !s.current)!;

    const foreign = await t.app.request(
      `/api/v1/auth/sessions/${otherSession.id}`,
      bearer(stranger.accessToken, { method: 'DELETE' }),
    );
    expect(foreign.status).toBe(404);
    expect((await me(other.accessToken)).status).toBe(200);

    const own = await t.app.request(
      `/api/v1/auth/sessions/${otherSession.id}`,
      bearer(owner.accessToken, { method: 'DELETE' }),
    );
    expect(own.status).toBe(204);
    expect((await me(other.accessToken)).status).toBe(401);
    expect((await me(owner.accessToken)).status).toBe(200);

    const unknown = await t.app.request(
      '/api/v1/auth/sessions/0193a1f2-8b7c-7d4e-9f00-1a2b3c4d5e6f',
      bearer(owner.accessToken, { method: 'DELETE' }),
    );
    expect(unknown.status).toBe(404);
    expect(
      (
        await t.app.request(
          '/api/v1/auth/sessions/not-a-uuid',
          bearer(owner.accessToken, { method: 'DELETE' }),
        )
      ).status,
    ).toBe(400);
  });
});
