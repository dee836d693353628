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

type Problem = { code: string; errors?: Array<{ field: string }> };
const me = async (token: string) =>
  body<{ email_verified: boolean; full_name: string }>(
    await t.app.request('/api/v1/users/me', bearer(token)),
  );
const post = (path: string, payload: unknown, token?: string) =>
  t.app.request(`/api/v1/auth${path}`, token ? bearer(token, json(payload)) : json(payload));

describe('email verification', () => {
  it('verifies with the mailed token once; a second use is 400 invalid_token', async () => {
    const signed = await register(t);
    const token = await smtp.tokenFor(signed.email, 'verify-email');
    const res = await post('/verify-email', { token });
    expect(res.status).toBe(200);
    expect(await body(res)).toMatchObject({ id: signed.userId, email_verified: true });
    expect((await me(signed.accessToken)).email_verified).toBe(true);
    const again = await post('/verify-email', { token });
    expect(again.status).toBe(400);
    expect((await body<Problem>(again)).code).toBe('invalid_token');
  });

  it('refuses an unknown token with 400 invalid_token', async () => {
    const res = await post('/verify-email', { token: 'x'.repeat(43) });
    expect(res.status).toBe(400);
    expect((await body<Problem>(res)).code).toBe('invalid_token');
  });

  it('resends a new link (202) that works, while the old one no longer does', async () => {
    const signed = await register(t);
    const first = await smtp.tokenFor(signed.email, 'verify-email');
    const before = smtp.received.length;
    const res = await t.app.request(
      '/api/v1/auth/verify-email/resend',
      bearer(signed.accessToken, { method: 'POST' }),
    );
    expect(res.status).toBe(202);
    await expect.poll(() => smtp.received.length).toBeGreaterThan(before);
    const second = await smtp.tokenFor(signed.email, 'verify-email');
    expect(second).not.toBe(first);
    expect((await post('/verify-email', { token: first })).status).toBe(400);
    expect((await post('/verify-email', { token: second })).status).toBe(200);
  });

  it('refuses resending to a verified address (409 already_verified) and without a token (401)', async () => {
    const signed = await register(t);
    await post('/verify-email', { token: await smtp.tokenFor(signed.email, 'verify-email') });
    const res = await t.app.request(
      '/api/v1/auth/verify-email/resend',
      bearer(signed.accessToken, { method: 'POST' }),
    );
    expect(res.status).toBe(409);
    expect((await body<Problem>(res)).code).toBe('already_verified');
    expect(
      (await t.app.request('/api/v1/auth/verify-email/resend', { method: 'POST' })).status,
    ).toBe(401);
  });

  it('rate limits resending (429 rate_limited with Retry-After)', async () => {
    const signed = await register(t);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await t.app.request(
        '/api/v1/auth/verify-email/resend',
        bearer(signed.accessToken, { method: 'POST' }),
      );
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([202, 202, 202, 429]);
  });
});

describe('password reset', () => {
  it('answers 202 for known and unknown emails alike, and mails only the known one', async () => {
    const signed = await register(t);
    const unknown = uniqueEmail('nobody');
    const known = await post('/password/forgot', { email: signed.email });
    const missing = await post('/password/forgot', { email: unknown });
    expect([known.status, missing.status]).toEqual([202, 202]);
    expect(await known.text()).toBe(await missing.text());
    await smtp.tokenFor(signed.email, 'reset-password');
    await t.container.mailer.drain();
    expect(smtp.received.some((m) => m.to.includes(unknown))).toBe(false);
  });

  it('resets with the mailed token: new password works, old does not, every session is revoked', async () => {
    const signed = await register(t);
    const other = await logIn(t, signed.email);
    await post('/password/forgot', { email: signed.email });
    const token = await smtp.tokenFor(signed.email, 'reset-password');
    const res = await post('/password/reset', { token, password: 'a brand new passphrase' });
    expect(res.status).toBe(204);
    for (const access of [signed.accessToken, other.accessToken]) {
      expect((await t.app.request('/api/v1/users/me', bearer(access))).status).toBe(401);
    }
    expect(
      (await t.app.request('/api/v1/auth/login', json({ email: signed.email, password: PASSWORD })))
        .status,
    ).toBe(401);
    await logIn(t, signed.email, 'a brand new passphrase');
    const reused = await post('/password/reset', { token, password: 'yet another passphrase' });
    expect(reused.status).toBe(400);
    expect((await body<Problem>(reused)).code).toBe('invalid_token');
  });

  it('refuses a weak new password without burning the link', async () => {
    const signed = await register(t);
    await post('/password/forgot', { email: signed.email });
    const token = await smtp.tokenFor(signed.email, 'reset-password');
    const weak = await post('/password/reset', { token, password: signed.email });
    expect(weak.status).toBe(400);
    expect((await body<Problem>(weak)).code).toBe('weak_password');
    expect(
      (await post('/password/reset', { token, password: 'a strong new passphrase' })).status,
    ).toBe(204);
  });

  it('refuses an unknown token (400 invalid_token)', async () => {
    const res = await post('/password/reset', {
      token: 'y'.repeat(43),
      password: 'a strong new passphrase',
    });
    expect(res.status).toBe(400);
    expect((await body<Problem>(res)).code).toBe('invalid_token');
  });
});

describe('password change', () => {
  it('changes the password and revokes the other sessions, keeping the current one', async () => {
    const signed = await register(t);
    const other = await logIn(t, signed.email);
    const res = await post(
      '/password/change',
      { current_password: PASSWORD, new_password: 'changed passphrase!' },
      signed.accessToken,
    );
    expect(res.status).toBe(204);
    expect((await t.app.request('/api/v1/users/me', bearer(signed.accessToken))).status).toBe(200);
    expect((await t.app.request('/api/v1/users/me', bearer(other.accessToken))).status).toBe(401);
    await logIn(t, signed.email, 'changed passphrase!');
  });

  it('refuses a wrong current password (400 invalid_current_password) and a weak new one (400 weak_password)', async () => {
    const signed = await register(t);
    const wrong = await post(
      '/password/change',
      { current_password: 'nope nope nope', new_password: 'changed passphrase!' },
      signed.accessToken,
    );
    expect(wrong.status).toBe(400);
    expect((await body<Problem>(wrong)).code).toBe('invalid_current_password');
    const weak = await post(
      '/password/change',
      { current_password: PASSWORD, new_password: 'password' },
      signed.accessToken,
    );
    expect(weak.status).toBe(400);
    const problem = await body<Problem>(weak);
    expect(problem.code).toBe('weak_password');
    expect(problem.errors?.[0]?.field).toBe('new_password');
    await logIn(t, signed.email, PASSWORD);
  });

  it('requires a bearer token (401)', async () => {
    const res = await post('/password/change', {
      current_password: PASSWORD,
      new_password: 'changed passphrase!',
    });
    expect(res.status).toBe(401);
  });
});
