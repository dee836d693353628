import { describe, expect, it } from 'vitest';
import {
  register,
  securityApp,
  uniqueEmail,
  type SecurityApp,
} from '../../support/security/harness.ts';

interface Pair {
  access_token: string;
  refresh_token: string;
}

/** Collects every secret a flow handles, to look for each one in every log line afterwards. */
class Secrets {
  readonly values = new Map<string, string>();

  add(label: string, value: string | undefined): void {
    if (!value) throw new Error(`no value for ${label}`);
    this.values.set(`${label}`, value);
    // A JWT's signature alone is enough to tell a token was logged in pieces.
    const signature = value.split('.')[2];
    if (signature) this.values.set(`${label} (signature)`, signature);
    const encoded = encodeURIComponent(value);
    if (encoded !== value) this.values.set(`${label} (url-encoded)`, encoded);
  }

  addPair(label: string, pair: Pair): void {
    this.add(`${label} access token`, pair.access_token);
    this.add(`${label} refresh token`, pair.refresh_token);
  }

  /** Every (line, secret) where a secret shows up. */
  leaks(lines: string[]): string[] {
    const found: string[] = [];
    for (const [index, line] of lines.entries()) {
      for (const [label, value] of this.values) {
        if (line.includes(value))
          found.push(`line ${index} contains ${label}: ${line.slice(0, 300)}`);
      }
      if (/\$2[aby]\$\d\d\$/.test(line)) found.push(`line ${index} contains a bcrypt hash`);
    }
    return found;
  }
}

const json = (token?: string, body?: unknown): RequestInit => ({
  method: 'POST',
  headers: {
    'Content-Type': 'application/json',
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
  },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

async function ok(res: Promise<Response>, status: number): Promise<Response> {
  const r = await res;
  expect(r.status, await r.clone().text()).toBe(status);
  return r;
}

async function fullIdentityFlow(s: SecurityApp, secrets: Secrets): Promise<void> {
  const email = uniqueEmail('logs');
  const first = 'first secret passphrase 4711';
  const second = 'second secret passphrase 0815';
  const third = 'third secret passphrase 2342';
  const wrong = 'wrong secret passphrase 9999';
  secrets.add('first password', first);
  secrets.add('second password', second);
  secrets.add('third password', third);
  secrets.add('wrong password', wrong);

  const v = await register(s, { email, password: first });
  secrets.add('register access token', v.accessToken);
  secrets.add('register refresh token', v.refreshToken);
  await s.mailSettled();
  const verification = s.mailer.tokenFrom(email, 'Verify');
  secrets.add('verification token', verification);

  // A failed and a successful use of the verification token, then the used one again.
  await ok(
    s.request('/api/v1/auth/verify-email', json(undefined, { token: `${verification}x` })),
    400,
  );
  await ok(s.request('/api/v1/auth/verify-email', json(undefined, { token: verification })), 200);
  await ok(s.request('/api/v1/auth/verify-email', json(undefined, { token: verification })), 400);

  await ok(s.request('/api/v1/auth/login', json(undefined, { email, password: wrong })), 401);
  const login = (await (
    await ok(s.request('/api/v1/auth/login', json(undefined, { email, password: first })), 200)
  ).json()) as Pair;
  secrets.addPair('login', login);

  const refreshed = (await (
    await ok(
      s.request('/api/v1/auth/refresh', json(undefined, { refresh_token: login.refresh_token })),
      200,
    )
  ).json()) as Pair;
  secrets.addPair('refreshed', refreshed);
  // The rotated token again (grace) and a made-up one.
  await ok(
    s.request('/api/v1/auth/refresh', json(undefined, { refresh_token: login.refresh_token })),
    401,
  );
  const madeUp = 'made-up-refresh-token-that-must-not-be-logged-0123456789';
  secrets.add('made-up refresh token', madeUp);
  await ok(s.request('/api/v1/auth/refresh', json(undefined, { refresh_token: madeUp })), 401);

  // A bad bearer token and a good one on a protected route.
  const forged = `${refreshed.access_token.slice(0, -4)}AAAA`;
  secrets.add('forged access token', forged);
  await ok(s.request('/api/v1/users/me', { headers: { Authorization: `Bearer ${forged}` } }), 401);
  await ok(
    s.request('/api/v1/users/me', {
      headers: { Authorization: `Bearer ${refreshed.access_token}` },
    }),
    200,
  );

  await ok(s.request('/api/v1/auth/password/forgot', json(undefined, { email })), 202);
  await s.mailSettled();
  const reset = s.mailer.tokenFrom(email, 'Reset');
  secrets.add('reset token', reset);
  // A weak password with a valid token, then the real reset, then the used token again.
  await ok(
    s.request('/api/v1/auth/password/reset', json(undefined, { token: reset, password: email })),
    400,
  );
  await ok(
    s.request('/api/v1/auth/password/reset', json(undefined, { token: reset, password: second })),
    204,
  );
  await ok(
    s.request('/api/v1/auth/password/reset', json(undefined, { token: reset, password: second })),
    400,
  );

  const again = (await (
    await ok(s.request('/api/v1/auth/login', json(undefined, { email, password: second })), 200)
  ).json()) as Pair;
  secrets.addPair('second login', again);
  await ok(
    s.request(
      '/api/v1/auth/password/change',
      json(again.access_token, { current_password: wrong, new_password: third }),
    ),
    400,
  );
  await ok(
    s.request(
      '/api/v1/auth/password/change',
      json(again.access_token, { current_password: second, new_password: third }),
    ),
    204,
  );
  await ok(s.request('/api/v1/auth/verify-email/resend', json(again.access_token)), 409);
  await ok(s.request('/api/v1/auth/logout', json(again.access_token)), 204);

  // Validation failures that carry secrets in the rejected body.
  const tooLong = `${third}${'x'.repeat(1100)}`;
  secrets.add('over-long password', tooLong);
  await ok(s.request('/api/v1/auth/login', json(undefined, { email, password: tooLong })), 400);
  await ok(
    s.request(
      '/api/v1/auth/register',
      json(undefined, { email: 'not-an-email', password: third, full_name: 'X' }),
    ),
    400,
  );
  for (const link of s.mailer.linksTo(email)) secrets.add('mailed link', link);
}

describe('secrets never reach the logs', () => {
  it('logs no password, access token, refresh token, one-time token or mailed link across the identity flows', async () => {
    const s = await securityApp();
    const secrets = new Secrets();
    await fullIdentityFlow(s, secrets);
    await s.mailSettled();

    expect(secrets.values.size).toBeGreaterThanOrEqual(20);
    // The capture is real: every request left a line, at debug level.
    expect(s.logs.lines.filter((line) => line.includes('"msg":"request"')).length).toBeGreaterThan(
      20,
    );
    expect(secrets.leaks(s.logs.lines)).toEqual([]);
  });

  it('does not log links or tokens when mail goes to the log (no SMTP configured)', async () => {
    const s = await securityApp({}, { ownMailer: true });
    const v = await register(s);
    expect((await s.post('/api/v1/auth/password/forgot', { email: v.email })).status).toBe(202);
    await s.mailSettled();

    const mailLines = s.logs.lines.filter((line) => line.includes(v.email));
    expect(mailLines.length).toBeGreaterThanOrEqual(2);
    for (const line of s.logs.lines) {
      expect(line).not.toMatch(/token=/);
      expect(line).not.toMatch(/\/(verify-email|reset-password)\?/);
      expect(line).not.toContain(v.accessToken);
      expect(line).not.toContain(v.refreshToken);
      expect(line).not.toContain(v.password);
    }
  });
});
