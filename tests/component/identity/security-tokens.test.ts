import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  expectUnauthenticated,
  makeAdmin,
  register,
  securityApp,
  type Account,
  type SecurityApp,
} from '../../support/security/harness.ts';
import {
  accessClaims,
  claimsOf,
  decodeSegment,
  encodeJson,
  signHmac,
  unsigned,
} from '../../support/security/jwt.ts';

const ME = '/api/v1/users/me';

async function meWith(s: SecurityApp, authorization: string): Promise<Response> {
  return s.request(ME, { headers: { Authorization: authorization } });
}

/** A user with a live session, and claims shaped exactly like the ones the service signs for it. */
async function victim(
  s: SecurityApp,
): Promise<Account & { claims: ReturnType<typeof accessClaims> }> {
  const account = await register(s);
  const real = claimsOf(account.accessToken);
  return { ...account, claims: accessClaims({ sub: real.sub, sid: real.sid }, s.clock.now()) };
}

describe('access tokens the service did not issue, or no longer honours', () => {
  it('accepts a hand-made HS256 token with the right key and claims (the control for the forgeries below)', async () => {
    const s = await securityApp();
    const v = await victim(s);
    const res = await meWith(
      s,
      `Bearer ${signHmac('HS256', v.claims, s.container.config.jwt.secret)}`,
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }).id).toBe(v.id);
  });

  it.each(['none', 'None', 'NONE'])('rejects alg "%s" with no signature', async (alg) => {
    const s = await securityApp();
    const v = await victim(s);
    await expectUnauthenticated(
      await meWith(s, `Bearer ${unsigned({ alg, typ: 'at+jwt' }, v.claims)}`),
    );
    // The same token with the real token's signature tacked on is still unsigned.
    const realSignature = v.accessToken.split('.')[2]!;
    await expectUnauthenticated(
      await meWith(s, `Bearer ${unsigned({ alg, typ: 'at+jwt' }, v.claims, realSignature)}`),
    );
  });

  it.each(['HS384', 'HS512'] as const)(
    'rejects a token signed with %s and the service secret (algorithm pinned to HS256)',
    async (alg) => {
      const s = await securityApp();
      const v = await victim(s);
      const token = signHmac(alg, v.claims, s.container.config.jwt.secret);
      await expectUnauthenticated(await meWith(s, `Bearer ${token}`));
    },
  );

  it('rejects an RS256 header with a garbage signature, and RS256 "signed" with the secret as an HMAC key', async () => {
    const s = await securityApp();
    const v = await victim(s);
    const garbage = unsigned(
      { alg: 'RS256', typ: 'at+jwt' },
      v.claims,
      randomBytes(256).toString('base64url'),
    );
    await expectUnauthenticated(await meWith(s, `Bearer ${garbage}`));
    const confused = signHmac('HS256', v.claims, s.container.config.jwt.secret, { alg: 'RS256' });
    await expectUnauthenticated(await meWith(s, `Bearer ${confused}`));
  });

  it('rejects a token signed with another key', async () => {
    const s = await securityApp();
    const v = await victim(s);
    const token = signHmac('HS256', v.claims, randomBytes(48).toString('hex'));
    await expectUnauthenticated(await meWith(s, `Bearer ${token}`));
  });

  it('rejects a forged token whose exp is in the past', async () => {
    const s = await securityApp();
    const v = await victim(s);
    const now = Math.floor(s.clock.now().getTime() / 1000);
    const expired = { ...v.claims, iat: now - 3600, exp: now - 60 };
    await expectUnauthenticated(
      await meWith(s, `Bearer ${signHmac('HS256', expired, s.container.config.jwt.secret)}`),
    );
  });

  it('honours an issued token at 29 minutes and rejects it at 31 minutes', async () => {
    const s = await securityApp();
    const v = await register(s);
    s.clock.advance(29 * 60_000);
    expect((await s.get(ME, v.accessToken)).status).toBe(200);
    s.clock.advance(2 * 60_000);
    await expectUnauthenticated(await s.get(ME, v.accessToken));
  });

  it('rejects a token that is not valid yet (nbf in the future)', async () => {
    const s = await securityApp();
    const v = await victim(s);
    const now = Math.floor(s.clock.now().getTime() / 1000);
    const early = { ...v.claims, nbf: now + 600 };
    await expectUnauthenticated(
      await meWith(s, `Bearer ${signHmac('HS256', early, s.container.config.jwt.secret)}`),
    );
  });

  it.each([
    ['a wrong issuer', { iss: 'https://evil.example' }],
    ['no issuer', { iss: undefined }],
    ['a wrong audience', { aud: 'another-api' }],
    ['no audience', { aud: undefined }],
    ['no expiry', { exp: undefined }],
    ['a role the service does not know', { role: 'root' }],
    ['a subject that is not a UUID', { sub: 'admin' }],
  ])('rejects a correctly signed token with %s', async (_, overrides) => {
    const s = await securityApp();
    const v = await victim(s);
    const claims = { ...v.claims, ...overrides };
    const token = signHmac('HS256', claims, s.container.config.jwt.secret);
    await expectUnauthenticated(await meWith(s, `Bearer ${token}`));
  });

  it.each([['JWT'], [undefined]])(
    'rejects a correctly signed token of type %s (only at+jwt is an access token)',
    async (typ) => {
      const s = await securityApp();
      const v = await victim(s);
      const token = signHmac('HS256', v.claims, s.container.config.jwt.secret, { typ });
      await expectUnauthenticated(await meWith(s, `Bearer ${token}`));
    },
  );

  it('rejects a correctly signed token for a session that does not exist or belongs to someone else', async () => {
    const s = await securityApp();
    const v = await victim(s);
    const other = await register(s);
    const secret = s.container.config.jwt.secret;
    const ghost = signHmac('HS256', { ...v.claims, sid: randomUUID() }, secret);
    await expectUnauthenticated(await meWith(s, `Bearer ${ghost}`));
    const borrowed = signHmac(
      'HS256',
      { ...v.claims, sid: claimsOf(other.accessToken).sid },
      secret,
    );
    await expectUnauthenticated(await meWith(s, `Bearer ${borrowed}`));
  });

  it('rejects a refresh token presented as an access token', async () => {
    const s = await securityApp();
    const v = await register(s);
    await expectUnauthenticated(await s.get(ME, v.refreshToken));
  });

  it('rejects the verification-mail token and the reset-mail token presented as access tokens', async () => {
    const s = await securityApp();
    const v = await register(s);
    expect((await s.post('/api/v1/auth/password/forgot', { email: v.email })).status).toBe(202);
    await s.mailSettled();
    const verification = s.mailer.tokenFrom(v.email, 'Verify');
    const reset = s.mailer.tokenFrom(v.email, 'Reset');
    await expectUnauthenticated(await s.get(ME, verification));
    await expectUnauthenticated(await s.get(ME, reset));
    // The tokens themselves are real: the verification token still verifies the address.
    expect((await s.post('/api/v1/auth/verify-email', { token: verification })).status).toBe(200);
  });

  it('rejects a token whose payload was edited (role → admin, or another subject) with the signature kept', async () => {
    const s = await securityApp();
    const v = await register(s);
    const other = await register(s);
    const [header, payload, signature] = v.accessToken.split('.') as [string, string, string];
    const claims = decodeSegment(payload);

    const promoted = `${header}.${encodeJson({ ...claims, role: 'admin' })}.${signature}`;
    await expectUnauthenticated(await s.get(ME, promoted));
    await expectUnauthenticated(await s.get('/api/v1/admin/users', promoted));

    const impersonating = `${header}.${encodeJson({ ...claims, sub: other.id })}.${signature}`;
    await expectUnauthenticated(await s.get(ME, impersonating));
    // The untouched token still works, so the 401s above are about the edits.
    expect((await s.get(ME, v.accessToken)).status).toBe(200);
  });

  it('rejects the access token of a session ended by logout, even after it was used (cached as live)', async () => {
    const s = await securityApp();
    const v = await register(s);
    expect((await s.get(ME, v.accessToken)).status).toBe(200);
    const out = await s.request('/api/v1/auth/logout', {
      method: 'POST',
      headers: { Authorization: `Bearer ${v.accessToken}` },
    });
    expect(out.status).toBe(204);
    await expectUnauthenticated(await s.get(ME, v.accessToken));
    await expectUnauthenticated(
      await s.post('/api/v1/auth/refresh', { refresh_token: v.refreshToken }),
    );
  });

  it('rejects the access token of a session revoked from another session, and of all sessions after logout-all', async () => {
    const s = await securityApp();
    const v = await register(s);
    const login = async () => {
      const res = await s.post('/api/v1/auth/login', { email: v.email, password: v.password });
      expect(res.status).toBe(200);
      return (await res.json()) as { access_token: string };
    };
    const second = await login();
    const third = await login();
    expect((await s.get(ME, second.access_token)).status).toBe(200);

    const revoke = await s.request(`/api/v1/auth/sessions/${claimsOf(second.access_token).sid}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${v.accessToken}` },
    });
    expect(revoke.status).toBe(204);
    await expectUnauthenticated(await s.get(ME, second.access_token));
    expect((await s.get(ME, third.access_token)).status).toBe(200);

    const all = await s.request('/api/v1/auth/logout-all', {
      method: 'POST',
      headers: { Authorization: `Bearer ${third.access_token}` },
    });
    expect(all.status).toBe(204);
    await expectUnauthenticated(await s.get(ME, v.accessToken));
    await expectUnauthenticated(await s.get(ME, third.access_token));
  });

  it('rejects the access token of a user an admin deactivated', async () => {
    const s = await securityApp();
    const admin = await register(s);
    await makeAdmin(s, admin.email);
    const v = await register(s);
    expect((await s.get(ME, v.accessToken)).status).toBe(200);
    const res = await s.request(`/api/v1/admin/users/${v.id}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${admin.accessToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ is_active: false }),
    });
    expect(res.status).toBe(200);
    await expectUnauthenticated(await s.get(ME, v.accessToken));
  });
});

describe('malformed Authorization headers carrying a valid token', () => {
  it('accepts the canonical form (the control)', async () => {
    const s = await securityApp();
    const v = await register(s);
    expect((await meWith(s, `Bearer ${v.accessToken}`)).status).toBe(200);
  });

  it.each([
    ['two spaces after the scheme', (t: string) => `Bearer  ${t}`],
    ['a tab after the scheme', (t: string) => `Bearer\t${t}`],
    ['a lower-case scheme', (t: string) => `bearer ${t}`],
    ['an upper-case scheme', (t: string) => `BEARER ${t}`],
    ['no scheme', (t: string) => t],
    ['the Basic scheme', (t: string) => `Basic ${t}`],
    ['two tokens separated by a space', (t: string) => `Bearer ${t} ${t}`],
    ['two credentials separated by a comma', (t: string) => `Bearer ${t}, Bearer ${t}`],
    ['a token with junk appended', (t: string) => `Bearer ${t}.x`],
    ['a token with quotes', (t: string) => `Bearer "${t}"`],
  ])('rejects %s', async (_, header) => {
    const s = await securityApp();
    const v = await register(s);
    await expectUnauthenticated(await meWith(s, header(v.accessToken)));
  });

  it('rejects an empty and a missing Authorization header', async () => {
    const s = await securityApp();
    await expectUnauthenticated(await meWith(s, 'Bearer '));
    await expectUnauthenticated(await meWith(s, 'Bearer'));
    await expectUnauthenticated(await s.request(ME));
  });

  it('rejects a 10 KB token, and a valid token padded to 10 KB, with 401 (no 5xx, no 431)', async () => {
    const s = await securityApp();
    const v = await register(s);
    const junk = randomBytes(7_680).toString('base64url');
    expect(junk.length).toBeGreaterThanOrEqual(10_240);
    await expectUnauthenticated(await meWith(s, `Bearer ${junk}`));
    const padded = `${v.accessToken}${'A'.repeat(10_240 - v.accessToken.length)}`;
    await expectUnauthenticated(await meWith(s, `Bearer ${padded}`));
    const hugeClaims = signHmac(
      'HS256',
      {
        ...accessClaims({ sub: v.id, sid: claimsOf(v.accessToken).sid }, s.clock.now()),
        pad: 'x'.repeat(10_240),
      },
      randomBytes(32).toString('hex'),
    );
    await expectUnauthenticated(await meWith(s, `Bearer ${hugeClaims}`));
  });
});

describe('without JWT_SECRET', () => {
  it('rejects a token forged with the development secret that used to be the fallback', async () => {
    const s = await securityApp();
    expect(s.container.config.jwt.generated).toBe(true);
    const v = await victim(s);
    const published = 'development-only-secret-change-me-0123456789abcdef';
    await expectUnauthenticated(
      await meWith(s, `Bearer ${signHmac('HS256', v.claims, published)}`),
    );
    // The control: the process's own drawn secret signs tokens it accepts.
    const own = signHmac('HS256', v.claims, s.container.config.jwt.secret);
    expect((await meWith(s, `Bearer ${own}`)).status).toBe(200);
  });
});
