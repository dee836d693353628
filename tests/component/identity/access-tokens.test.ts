import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCESS_TOKEN_MAX_DAYS,
  ACCESS_TOKENS_PER_USER,
} from '../../../src/modules/identity/domain/access-token.ts';
import {
  bearer,
  body,
  json,
  makeAdmin,
  PASSWORD,
  register,
  type Signed,
} from '../../support/identity/http-client.ts';
import { sql } from '../../support/notifications/notifications-kit.ts';
import { TestSmtpServer } from '../../support/smtp-server.ts';
import { createTestApp, type TestApp } from '../../support/test-app.ts';

interface CreatedToken {
  id: string;
  name: string;
  scopes: string[];
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string;
  token: string;
}
type Problem = {
  code: string;
  status: number;
  errors?: Array<{ field: string; message: string }>;
};

const DAY = 86_400_000;
let t: TestApp;
const smtp = new TestSmtpServer();
beforeAll(async () => {
  await smtp.start();
  t = await createTestApp({
    SMTP_URL: smtp.url,
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
    RATE_LIMIT_USER_PER_MINUTE: '100000',
  });
});
afterAll(async () => {
  await t.close();
  await smtp.stop();
});

const call = (path: string, token: string, init: RequestInit = {}) =>
  t.app.request(path, bearer(token, init));

async function createToken(
  user: Signed,
  fields: Record<string, unknown> = {},
): Promise<CreatedToken> {
  const res = await t.app.request(
    '/api/v1/tokens',
    bearer(user.accessToken, json({ name: 'CI', scopes: ['tasks:read'], ...fields })),
  );
  if (res.status !== 201) throw new Error(`token not created: ${res.status} ${await res.text()}`);
  return body<CreatedToken>(res);
}

async function expectInsufficientScope(res: Response, scope?: string) {
  expect(res.status).toBe(403);
  expect((await body<Problem>(res)).code).toBe('insufficient_scope');
  const challenge = res.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(/^Bearer .*error="insufficient_scope"/);
  if (scope === undefined) expect(challenge).not.toContain('scope="');
  else expect(challenge).toContain(`scope="${scope}"`);
}

describe('POST /api/v1/tokens', () => {
  it('creates a token shown once, stored only as its hash, valid 90 days by default', async () => {
    const user = await register(t);
    const before = Date.now();
    const res = await t.app.request(
      '/api/v1/tokens',
      bearer(user.accessToken, json({ name: ' CI ', scopes: ['tasks:read', 'tasks:write'] })),
    );
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const created = await body<CreatedToken>(res);
    expect(created).toMatchObject({
      name: 'CI',
      scopes: ['tasks:read', 'tasks:write'],
      last_used_at: null,
    });
    expect(created.token).toMatch(/^tmk_[A-Za-z0-9_-]{43}$/);
    expect(created.prefix).toBe(created.token.slice(0, 12));
    const expires = Date.parse(created.expires_at) - Date.parse(created.created_at);
    expect(expires).toBe(90 * DAY);
    expect(Date.parse(created.created_at)).toBeGreaterThanOrEqual(before - 1000);

    const [row] = await sql<{ token_hash: string; prefix: string }>(
      t,
      'select * from access_tokens where id = ?',
      [created.id],
    );
    expect(JSON.stringify(row)).not.toContain(created.token);
    expect(row!.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('takes an expiry up to a year ahead', async () => {
    const user = await register(t);
    const expiresAt = new Date(Date.now() + ACCESS_TOKEN_MAX_DAYS * DAY - 60_000).toISOString();
    expect((await createToken(user, { expires_at: expiresAt })).expires_at).toBe(expiresAt);
  });

  it.each([
    ['an unknown scope', { scopes: ['tasks:read', 'admin'] }, 'scopes'],
    ['no scopes', { scopes: [] }, 'scopes'],
    ['a blank name', { name: '   ' }, 'name'],
    ['a name over 100 characters', { name: 'x'.repeat(101) }, 'name'],
    ['an expiry in the past', { expires_at: '2020-01-01T00:00:00Z' }, 'expires_at'],
    [
      'an expiry more than a year ahead',
      { expires_at: new Date(Date.now() + (ACCESS_TOKEN_MAX_DAYS + 1) * DAY).toISOString() },
      'expires_at',
    ],
    ['a malformed expiry', { expires_at: 'tomorrow' }, 'expires_at'],
  ])('refuses %s (400 validation_failed)', async (_, fields, field) => {
    const user = await register(t);
    const res = await t.app.request(
      '/api/v1/tokens',
      bearer(user.accessToken, json({ name: 'CI', scopes: ['tasks:read'], ...fields })),
    );
    expect(res.status).toBe(400);
    const problem = await body<Problem>(res);
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors?.map((e) => e.field.split('.')[0])).toContain(field);
  });

  it('names every field at fault in one 400, the expiry’s rule beside the schema’s', async () => {
    const user = await register(t);
    const res = await t.app.request(
      '/api/v1/tokens',
      bearer(
        user.accessToken,
        json({ name: '', scopes: ['nope'], expires_at: '2020-01-01T00:00:00Z' }),
      ),
    );
    expect(res.status).toBe(400);
    const problem = await body<Required<Problem>>(res);
    expect(problem.errors.map((e) => e.field.split('.')[0]).sort()).toEqual([
      'expires_at',
      'name',
      'scopes',
    ]);
    expect(problem.errors.find((e) => e.field === 'expires_at')?.message).toBe(
      'must be in the future',
    );
  });

  it(`refuses a token past ${ACCESS_TOKENS_PER_USER} live ones (409 token_limit_reached)`, async () => {
    const user = await register(t);
    const tokens = [];
    for (let i = 0; i < ACCESS_TOKENS_PER_USER; i++) tokens.push(await createToken(user));
    const refused = await t.app.request(
      '/api/v1/tokens',
      bearer(user.accessToken, json({ name: 'one more', scopes: ['tasks:read'] })),
    );
    expect(refused.status).toBe(409);
    expect((await body<Problem>(refused)).code).toBe('token_limit_reached');
    await call(`/api/v1/tokens/${tokens[0]!.id}`, user.accessToken, { method: 'DELETE' });
    expect((await createToken(user)).scopes).toEqual(['tasks:read']);
  });

  it('needs a signed-in user (401)', async () => {
    const res = await t.app.request('/api/v1/tokens', json({ name: 'CI', scopes: ['tasks:read'] }));
    expect(res.status).toBe(401);
  });
});

describe('GET and DELETE /api/v1/tokens', () => {
  it('lists the caller’s tokens newest first without secrets, and shows when one was last used', async () => {
    const user = await register(t);
    const first = await createToken(user, { name: 'first' });
    const second = await createToken(user, { name: 'second' });
    await createToken(await register(t), { name: 'someone else' });
    expect((await call('/api/v1/tasks', first.token)).status).toBe(200);

    const list = async () => {
      const res = await call('/api/v1/tokens', user.accessToken);
      expect(res.status).toBe(200);
      return body<{ items: Array<Record<string, unknown>> }>(res);
    };
    const { items } = await list();
    expect(items.map((item) => item.name)).toEqual(['second', 'first']);
    expect(JSON.stringify(items)).not.toContain(first.token);
    expect(items.every((item) => !('token' in item))).toBe(true);
    expect(items[0]).toMatchObject({ id: second.id, prefix: second.prefix });
    await expect
      .poll(async () => (await list()).items[1]!.last_used_at)
      .toEqual(expect.any(String));
  });

  it('revokes a token at once, and reports an unknown or someone else’s token as not found', async () => {
    const user = await register(t);
    const other = await register(t);
    const token = await createToken(user);
    expect((await call('/api/v1/tasks', token.token)).status).toBe(200);

    const foreign = await call(`/api/v1/tokens/${token.id}`, other.accessToken, {
      method: 'DELETE',
    });
    expect(foreign.status).toBe(404);
    expect((await call('/api/v1/tasks', token.token)).status).toBe(200);

    const revoked = await call(`/api/v1/tokens/${token.id}`, user.accessToken, {
      method: 'DELETE',
    });
    expect(revoked.status).toBe(204);
    const refused = await call('/api/v1/tasks', token.token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(
      (await call(`/api/v1/tokens/${token.id}`, user.accessToken, { method: 'DELETE' })).status,
    ).toBe(404);
    expect(
      (await call('/api/v1/tokens/not-a-uuid', user.accessToken, { method: 'DELETE' })).status,
    ).toBe(400);
  });
});

describe('calling the API with a token', () => {
  it('works on the routes its scopes allow, as its user', async () => {
    const user = await register(t);
    const { token } = await createToken(user, { scopes: ['tasks:read', 'tasks:write'] });
    const created = await call('/api/v1/tasks', token, json({ title: 'From a script' }));
    expect(created.status).toBe(201);
    const task = await body<{ id: string; owner_id: string }>(created);
    expect(task.owner_id).toBe(user.userId);
    expect((await call(`/api/v1/tasks/${task.id}`, user.accessToken)).status).toBe(200);
    expect((await call(`/api/v1/tasks/${task.id}`, token)).status).toBe(200);
  });

  it('gets 403 insufficient_scope, naming the scope, on routes outside its scopes', async () => {
    const user = await register(t);
    const { token } = await createToken(user, { scopes: ['tasks:read'] });
    await expectInsufficientScope(
      await call('/api/v1/tasks', token, json({ title: 'Not allowed' })),
      'tasks:write',
    );
    await expectInsufficientScope(await call('/api/v1/notifications', token), 'notifications:read');
    const { token: inbox } = await createToken(user, { scopes: ['notifications:read'] });
    expect((await call('/api/v1/notifications', inbox)).status).toBe(200);
    await expectInsufficientScope(await call('/api/v1/tasks', inbox), 'tasks:read');
  });

  it('reads its user’s profile whatever its scopes, but cannot change it', async () => {
    const user = await register(t);
    const { token } = await createToken(user, { scopes: ['notifications:read'] });
    const me = await call('/api/v1/users/me', token);
    expect(me.status).toBe(200);
    expect((await body<{ id: string }>(me)).id).toBe(user.userId);
    await expectInsufficientScope(
      await call('/api/v1/users/me', token, { ...json({ full_name: 'Renamed' }), method: 'PATCH' }),
    );
  });

  it('can never manage tokens, sessions, the password or the account, nor reach admin routes', async () => {
    const user = await register(t);
    await makeAdmin(t, user.email);
    const { token, id } = await createToken(user, {
      scopes: ['tasks:read', 'tasks:write', 'notifications:read', 'webhooks:manage'],
    });
    const refusals: Array<[string, RequestInit]> = [
      ['/api/v1/tokens', json({ name: 'child', scopes: ['tasks:read'] })],
      ['/api/v1/tokens', {}],
      [`/api/v1/tokens/${id}`, { method: 'DELETE' }],
      ['/api/v1/auth/sessions', {}],
      ['/api/v1/auth/logout', { method: 'POST' }],
      ['/api/v1/auth/logout-all', { method: 'POST' }],
      ['/api/v1/auth/verify-email/resend', { method: 'POST' }],
      [
        '/api/v1/auth/password/change',
        json({ current_password: PASSWORD, new_password: 'another fine passphrase' }),
      ],
      ['/api/v1/admin/users', {}],
      [`/api/v1/admin/users/${user.userId}`, { ...json({ role: 'user' }), method: 'PATCH' }],
      ['/api/v1/ws/tickets', { method: 'POST' }],
    ];
    for (const [path, init] of refusals) {
      const res = await call(path, token, init);
      expect([path, res.status]).toEqual([path, 403]);
      await expectInsufficientScope(res);
    }
    const sessionRevoke = await call(
      '/api/v1/auth/sessions/0193a1f2-8b7c-7d4e-9f00-1a2b3c4d5e6f',
      token,
      { method: 'DELETE' },
    );
    await expectInsufficientScope(sessionRevoke);
    // Nothing changed: the token still works and the admin is still one.
    expect((await call('/api/v1/tasks', token)).status).toBe(200);
    expect((await call('/api/v1/admin/users', user.accessToken)).status).toBe(200);
  });

  it('cannot open the WebSocket', async () => {
    const user = await register(t);
    const { token } = await createToken(user, { scopes: ['notifications:read'] });
    const res = await call('/api/v1/ws', token, {
      headers: { Upgrade: 'websocket', Connection: 'Upgrade' },
    });
    await expectInsufficientScope(res);
  });

  it('is refused once expired (401)', async () => {
    const user = await register(t);
    const created = await createToken(user);
    expect((await call('/api/v1/tasks', created.token)).status).toBe(200);
    await sql(t, "update access_tokens set expires_at = now() - interval '1 second' where id = ?", [
      created.id,
    ]);
    expect((await call('/api/v1/tasks', created.token)).status).toBe(401);
  });

  it('is refused for a deactivated user, and stays revoked after reactivation (401)', async () => {
    const admin = await register(t);
    await makeAdmin(t, admin.email);
    const user = await register(t);
    const { token } = await createToken(user);
    const setActive = (is_active: boolean) =>
      call(`/api/v1/admin/users/${user.userId}`, admin.accessToken, {
        ...json({ is_active }),
        method: 'PATCH',
      });
    expect((await setActive(false)).status).toBe(200);
    expect((await call('/api/v1/tasks', token)).status).toBe(401);
    expect((await setActive(true)).status).toBe(200);
    expect((await call('/api/v1/tasks', token)).status).toBe(401);
  });

  it('is revoked by a password reset (401)', async () => {
    const user = await register(t);
    const { token } = await createToken(user);
    expect((await call('/api/v1/tasks', token)).status).toBe(200);
    await t.app.request('/api/v1/auth/password/forgot', json({ email: user.email }));
    const reset = await smtp.tokenFor(user.email, 'reset-password');
    const res = await t.app.request(
      '/api/v1/auth/password/reset',
      json({ token: reset, password: 'a brand new passphrase' }),
    );
    expect(res.status).toBe(204);
    expect((await call('/api/v1/tasks', token)).status).toBe(401);
  });

  it('refuses a malformed or unknown tmk_ token like any bad credential (401)', async () => {
    for (const credential of ['tmk_', `tmk_${'A'.repeat(43)}`, 'tmk_!!']) {
      const res = await call('/api/v1/tasks', credential);
      expect([credential, res.status]).toEqual([credential, 401]);
    }
  });
});

describe('rate limits with a token', () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await createTestApp({
      RATE_LIMIT_AUTH_PER_MINUTE: '100000',
      RATE_LIMIT_USER_PER_MINUTE: '4',
    });
  });
  afterAll(() => limited.close());

  it('counts a token’s requests in its user’s bucket, refusals included', async () => {
    const user = await register(limited);
    const created = await limited.app.request(
      '/api/v1/tokens',
      bearer(user.accessToken, json({ name: 'CI', scopes: ['tasks:read'] })),
    );
    expect(created.headers.get('ratelimit-remaining')).toBe('3');
    const { token } = await body<CreatedToken>(created);
    const byToken = await limited.app.request('/api/v1/tasks', bearer(token));
    expect(byToken.headers.get('ratelimit-remaining')).toBe('2');
    const bySession = await limited.app.request('/api/v1/tasks', bearer(user.accessToken));
    expect(bySession.headers.get('ratelimit-remaining')).toBe('1');
    const refused = await limited.app.request('/api/v1/tasks', bearer(token, json({ title: 'x' })));
    expect(refused.status).toBe(403);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    const over = await limited.app.request('/api/v1/tasks', bearer(token));
    expect(over.status).toBe(429);
    expect((await body<Problem>(over)).code).toBe('rate_limited');
    expect(over.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await limited.app.request('/api/v1/tasks', bearer(user.accessToken))).status).toBe(429);
  });
});
