import { describe, expect, it } from 'vitest';
import {
  makeAdmin,
  register,
  securityApp,
  uniqueEmail,
  uniqueIp,
  type SecurityApp,
} from '../../support/security/harness.ts';

/** Headers that differ between any two responses by design. */
const PER_RESPONSE = new Set(['date', 'x-request-id']);

interface Observed {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Everything a client can see of a response except its request id. Each call comes from a new
 * client address, so the RateLimit-* headers of the two compared requests start from the same count.
 */
async function observe(s: SecurityApp, path: string, body: unknown): Promise<Observed> {
  const res = await s.post(path, body, { ip: uniqueIp() });
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (!PER_RESPONSE.has(name)) headers[name] = value;
  });
  const text = await res.text();
  let parsed: unknown = text;
  if (text.length > 0) {
    const json = JSON.parse(text) as Record<string, unknown>;
    expect(json.request_id).toBe(res.headers.get('x-request-id'));
    delete json.request_id;
    parsed = json;
  }
  return { status: res.status, headers, body: parsed };
}

async function deactivate(s: SecurityApp, userId: string): Promise<void> {
  const admin = await register(s);
  await makeAdmin(s, admin.email);
  const res = await s.request(`/api/v1/admin/users/${userId}`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${admin.accessToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ is_active: false }),
  });
  expect(res.status).toBe(200);
}

describe('no account enumeration', () => {
  it('answers an unknown email and a wrong password identically at login', async () => {
    const s = await securityApp();
    const v = await register(s);
    const unknown = await observe(s, '/api/v1/auth/login', {
      email: uniqueEmail('nobody'),
      password: 'some guessed password',
    });
    const wrong = await observe(s, '/api/v1/auth/login', {
      email: v.email,
      password: 'some guessed password',
    });
    expect(unknown.status).toBe(401);
    expect((unknown.body as { code: string }).code).toBe('invalid_credentials');
    expect(wrong).toEqual(unknown);
  });

  it('answers a wrong password for a differently-cased known email like an unknown email', async () => {
    const s = await securityApp();
    const v = await register(s);
    const unknown = await observe(s, '/api/v1/auth/login', {
      email: uniqueEmail('nobody').toUpperCase(),
      password: 'some guessed password',
    });
    const wrong = await observe(s, '/api/v1/auth/login', {
      email: `  ${v.email.toUpperCase()} `,
      password: 'some guessed password',
    });
    expect(wrong).toEqual(unknown);
  });

  it('does not reveal a deactivated account to someone without its password', async () => {
    const s = await securityApp();
    const v = await register(s);
    await deactivate(s, v.id);
    const unknown = await observe(s, '/api/v1/auth/login', {
      email: uniqueEmail('nobody'),
      password: 'some guessed password',
    });
    const disabled = await observe(s, '/api/v1/auth/login', {
      email: v.email,
      password: 'some guessed password',
    });
    expect(disabled).toEqual(unknown);
  });

  it('answers forgot-password identically for an unknown, a known and a deactivated email', async () => {
    const s = await securityApp();
    const known = await register(s);
    const disabled = await register(s);
    await deactivate(s, disabled.id);

    const forUnknown = await observe(s, '/api/v1/auth/password/forgot', {
      email: uniqueEmail('nobody'),
    });
    const forKnown = await observe(s, '/api/v1/auth/password/forgot', { email: known.email });
    const forDisabled = await observe(s, '/api/v1/auth/password/forgot', { email: disabled.email });
    expect(forUnknown.status).toBe(202);
    expect(forKnown).toEqual(forUnknown);
    expect(forDisabled).toEqual(forUnknown);

    // The known account really was sent a mail, so the identical answers hide a real difference.
    await s.mailSettled();
    expect(s.mailer.tokenFrom(known.email, 'Reset')).toBeTruthy();
    expect(
      s.mailer.sent.filter((m) => m.to === disabled.email && m.subject.includes('Reset')),
    ).toEqual([]);
  });

  it('keeps answering 202 for a known email past its per-address mail limit', async () => {
    const s = await securityApp();
    const v = await register(s);
    const first = await observe(s, '/api/v1/auth/password/forgot', { email: v.email });
    for (let i = 0; i < 5; i++) {
      expect(await observe(s, '/api/v1/auth/password/forgot', { email: v.email })).toEqual(first);
    }
  });
});
