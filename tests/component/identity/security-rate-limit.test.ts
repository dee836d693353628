import { randomBytes } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startHttpServer } from '../../../src/server.ts';
import {
  problemOf,
  register,
  securityApp as baseApp,
  ShiftedClock,
  uniqueIp,
  type SecurityApp,
} from '../../support/security/harness.ts';

/**
 * Rate limits run on real time here (shiftable), so the limiter's Redis probing works as deployed.
 * One request from an unrelated address first loads the limiter script into Redis and warms the
 * code paths, so the counts below measure the limiter and not a cold start.
 */
async function securityApp(env: Record<string, string>): Promise<SecurityApp> {
  const s = await baseApp(env, { clock: new ShiftedClock() });
  await authAttempt(s, { ip: uniqueIp() });
  return s;
}

/** The cheapest auth request there is: an unknown refresh token is one indexed lookup, then 401. */
function authAttempt(s: SecurityApp, init: { ip?: string; headers?: Record<string, string> } = {}) {
  return s.post(
    '/api/v1/auth/refresh',
    { refresh_token: randomBytes(32).toString('base64url') },
    init,
  );
}

/** Fails instead of hanging when a request does not answer in time (Redis timeouts are 1-2 s). */
async function answered<T>(res: Promise<T>, ms = 5_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([res, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function limitHeaders(res: Response) {
  return {
    limit: res.headers.get('ratelimit-limit'),
    remaining: Number(res.headers.get('ratelimit-remaining')),
    reset: Number(res.headers.get('ratelimit-reset')),
  };
}

async function expectRateLimited(res: Response, limit: number): Promise<void> {
  expect((await problemOf(res, 429)).code).toBe('rate_limited');
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  const headers = limitHeaders(res);
  expect(headers.limit).toBe(String(limit));
  expect(headers.remaining).toBe(0);
  expect(headers.reset).toBeGreaterThanOrEqual(1);
  expect(headers.reset).toBeLessThanOrEqual(60);
}

/** A /64 of documentation addresses for one test's proxies, and an address inside it. */
function proxyNet() {
  const prefix = `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;
  return { cidr: `${prefix}::/64`, address: (n: number) => `${prefix}::${n.toString(16)}` };
}

describe('per-IP limit on /api/v1/auth/*', () => {
  it('lets exactly 20 of 30 parallel requests from one address through and answers the rest 429', async () => {
    const s = await securityApp({ RATE_LIMIT_AUTH_PER_MINUTE: '20' });
    const responses = await Promise.all(Array.from({ length: 30 }, () => authAttempt(s)));

    const passed = responses.filter((r) => r.status !== 429);
    const limited = responses.filter((r) => r.status === 429);
    expect(passed.length).toBe(20);
    expect(limited.length).toBe(10);
    for (const res of passed) {
      expect(res.status).toBe(401);
      expect(limitHeaders(res).limit).toBe('20');
      expect(limitHeaders(res).reset).toBeGreaterThanOrEqual(1);
    }
    // Each admitted request saw its own place in the window.
    expect(passed.map((r) => limitHeaders(r).remaining).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    for (const res of limited) await expectRateLimited(res, 20);

    // Another client is not affected, and the window slides: a minute later this one is let in again.
    expect((await authAttempt(s, { ip: uniqueIp() })).status).toBe(401);
    s.clock.advance(61_000);
    expect((await authAttempt(s)).status).toBe(401);
  });

  it('counts every auth route against the same bucket, login and register included', async () => {
    const s = await securityApp({ RATE_LIMIT_AUTH_PER_MINUTE: '3' });
    expect((await s.post('/api/v1/auth/login', { email: 'x', password: 'y' })).status).toBe(400);
    expect(
      (await s.post('/api/v1/auth/password/forgot', { email: 'nobody@example.com' })).status,
    ).toBe(202);
    expect((await authAttempt(s)).status).toBe(401);
    await expectRateLimited(
      await s.post('/api/v1/auth/register', {
        email: 'a@example.com',
        password: 'p',
        full_name: 'A',
      }),
      3,
    );
    await expectRateLimited(await s.post('/api/v1/auth/verify-email', { token: 'x' }), 3);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy (TRUST_PROXY unset)', async () => {
    const s = await securityApp({ RATE_LIMIT_AUTH_PER_MINUTE: '3' });
    for (let i = 0; i < 3; i++) {
      expect((await authAttempt(s, { headers: { 'X-Forwarded-For': uniqueIp() } })).status).toBe(
        401,
      );
    }
    await expectRateLimited(
      await authAttempt(s, { headers: { 'X-Forwarded-For': uniqueIp() } }),
      3,
    );
    await expectRateLimited(
      await authAttempt(s, { headers: { 'X-Forwarded-For': `${uniqueIp()}, ${uniqueIp()}` } }),
      3,
    );
    expect((await authAttempt(s, { ip: uniqueIp() })).status).toBe(401);
  });

  it('with TRUST_PROXY=1 buckets by the address the proxy appended, not by the proxy or a prepended fake', async () => {
    const s = await securityApp({ RATE_LIMIT_AUTH_PER_MINUTE: '3', TRUST_PROXY: '1' });
    const proxy = uniqueIp();
    const client = uniqueIp();
    const via = (xff: string) => authAttempt(s, { ip: proxy, headers: { 'X-Forwarded-For': xff } });

    for (let i = 0; i < 3; i++) expect((await via(client)).status).toBe(401);
    await expectRateLimited(await via(client), 3);
    // The client cannot escape by writing its own X-Forwarded-For: the proxy appends the real address.
    await expectRateLimited(await via(`${uniqueIp()}, ${client}`), 3);
    // Other clients behind the same proxy have their own buckets.
    expect((await via(uniqueIp())).status).toBe(401);
    expect((await via(`${client}, ${uniqueIp()}`)).status).toBe(401);
  });

  it('keys IPv6 clients by their /64: 22 addresses of one /64 share a limit of 20', async () => {
    const s = await securityApp({ RATE_LIMIT_AUTH_PER_MINUTE: '20' });
    const net = proxyNet();
    const statuses: number[] = [];
    for (let i = 1; i <= 22; i++)
      statuses.push((await authAttempt(s, { ip: net.address(i) })).status);
    expect(statuses.filter((status) => status === 401).length).toBe(20);
    expect(statuses.slice(20)).toEqual([429, 429]);
    // The next /64 is another subscriber.
    expect((await authAttempt(s, { ip: uniqueIp() })).status).toBe(401);
  });

  it('counts an IPv4-mapped IPv6 peer in the bucket of its IPv4 address', async () => {
    const s = await securityApp({ RATE_LIMIT_AUTH_PER_MINUTE: '2' });
    const v4 = `198.18.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;
    expect((await authAttempt(s, { ip: v4 })).status).toBe(401);
    expect((await authAttempt(s, { ip: `::ffff:${v4}` })).status).toBe(401);
    await expectRateLimited(await authAttempt(s, { ip: v4 }), 2);
  });

  it('with TRUST_PROXY=1 reads a trusted entry with a port instead of shifting onto a spoofed one', async () => {
    const s = await securityApp({ RATE_LIMIT_AUTH_PER_MINUTE: '20', TRUST_PROXY: '1' });
    const proxy = uniqueIp();
    const client = `198.18.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) {
      const xff = `${uniqueIp()}, ${client}:${4000 + i}`;
      statuses.push(
        (await authAttempt(s, { ip: proxy, headers: { 'X-Forwarded-For': xff } })).status,
      );
    }
    expect(statuses.filter((status) => status === 401).length).toBe(20);
    expect(statuses.slice(20)).toEqual([429, 429]);
  });

  it('with a trusted CIDR walks past trusted proxies to the first untrusted address', async () => {
    const net = proxyNet();
    const s = await securityApp({ RATE_LIMIT_AUTH_PER_MINUTE: '3', TRUST_PROXY: net.cidr });
    const client = uniqueIp();
    const via = (xff: string) =>
      authAttempt(s, { ip: net.address(1), headers: { 'X-Forwarded-For': xff } });

    expect((await via(client)).status).toBe(401);
    expect((await via(`${uniqueIp()}, ${client}`)).status).toBe(401);
    expect((await via(`${uniqueIp()}, ${client}, ${net.address(2)}`)).status).toBe(401);
    await expectRateLimited(await via(`${client}, ${net.address(3)}`), 3);
    expect((await via(uniqueIp())).status).toBe(401);
  });

  it('with a trusted CIDR still ignores X-Forwarded-For sent straight from an untrusted peer', async () => {
    const net = proxyNet();
    const s = await securityApp({ RATE_LIMIT_AUTH_PER_MINUTE: '3', TRUST_PROXY: net.cidr });
    for (let i = 0; i < 3; i++) {
      expect((await authAttempt(s, { headers: { 'X-Forwarded-For': uniqueIp() } })).status).toBe(
        401,
      );
    }
    await expectRateLimited(
      await authAttempt(s, { headers: { 'X-Forwarded-For': uniqueIp() } }),
      3,
    );
  });

  it('buckets by the real socket peer of a listening server, through a trusted loopback proxy', async () => {
    const s = await securityApp({ RATE_LIMIT_AUTH_PER_MINUTE: '3', TRUST_PROXY: '127.0.0.1' });
    const server = await startHttpServer(s.container, 0, '127.0.0.1');
    onTestFinished(() => server.close(1_000));
    const client = uniqueIp();
    const attempt = (xff: string) =>
      fetch(`http://127.0.0.1:${server.port}/api/v1/auth/refresh`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': xff },
        body: JSON.stringify({ refresh_token: randomBytes(32).toString('base64url') }),
      });
    for (let i = 0; i < 3; i++) expect((await attempt(client)).status).toBe(401);
    await expectRateLimited(await attempt(client), 3);
    await expectRateLimited(await attempt(`${uniqueIp()}, ${client}`), 3);
    expect((await attempt(uniqueIp())).status).toBe(401);
  });
});

describe('per-user limit on authenticated routes', () => {
  it('answers the fourth request of a user 429 when the limit is 3, from any address', async () => {
    const s = await securityApp({ RATE_LIMIT_USER_PER_MINUTE: '3' });
    const v = await register(s);
    const other = await register(s);

    for (let i = 1; i <= 3; i++) {
      const res = await s.get('/api/v1/users/me', v.accessToken);
      expect(res.status).toBe(200);
      expect(limitHeaders(res)).toEqual({
        limit: '3',
        remaining: 3 - i,
        reset: expect.any(Number),
      });
    }
    await expectRateLimited(await s.get('/api/v1/users/me', v.accessToken), 3);
    await expectRateLimited(await s.get('/api/v1/users/me', v.accessToken, uniqueIp()), 3);
    // Someone else on the same address is not affected.
    expect((await s.get('/api/v1/users/me', other.accessToken)).status).toBe(200);
    s.clock.advance(61_000);
    expect((await s.get('/api/v1/users/me', v.accessToken)).status).toBe(200);
  });

  it('describes the per-user limit in the RateLimit-* headers of a per-user 429 on an /auth/* route', async () => {
    const s = await securityApp({ RATE_LIMIT_USER_PER_MINUTE: '3' });
    const v = await register(s);
    for (let i = 0; i < 3; i++)
      expect((await s.get('/api/v1/auth/sessions', v.accessToken)).status).toBe(200);
    const limited = await s.get('/api/v1/auth/sessions', v.accessToken);
    // Remaining must not claim requests are left on a 429, and Limit must be the limit that was hit.
    await expectRateLimited(limited, 3);
  });
});

describe('rate limiting while Redis is unreachable', () => {
  it('still answers auth requests without hanging, enforces the limit in process, and never answers 5xx', async () => {
    const s = await securityApp({
      REDIS_URL: 'redis://127.0.0.1:1',
      RATE_LIMIT_AUTH_PER_MINUTE: '3',
      RATE_LIMIT_USER_PER_MINUTE: '2',
    });
    for (let i = 0; i < 3; i++) expect((await answered(authAttempt(s))).status).toBe(401);
    await expectRateLimited(await answered(authAttempt(s)), 3);
    const burst = await Promise.all(Array.from({ length: 5 }, () => answered(authAttempt(s))));
    expect(burst.map((r) => r.status)).toEqual([429, 429, 429, 429, 429]);

    // The rest of identity keeps working on the database alone.
    const ip = uniqueIp();
    const v = await answered(
      register({ ...s, post: (path, body, init = {}) => s.post(path, body, { ...init, ip }) }),
    );
    expect((await answered(s.get('/api/v1/users/me', v.accessToken))).status).toBe(200);
    expect((await answered(s.get('/api/v1/users/me', v.accessToken))).status).toBe(200);
    await expectRateLimited(await answered(s.get('/api/v1/users/me', v.accessToken)), 2);
    const forgot = await answered(
      s.post('/api/v1/auth/password/forgot', { email: v.email }, { ip }),
    );
    expect(forgot.status).toBe(202);

    expect(s.logs.lines.some((line) => line.includes('rate limiter falls back'))).toBe(true);
    expect(s.logs.lines.filter((line) => /"status":5\d\d/.test(line))).toEqual([]);
  });
});
