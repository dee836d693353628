import { describe, expect, it } from 'vitest';
import {
  expectUnauthenticated,
  problemOf,
  register,
  securityApp,
  type SecurityApp,
} from '../../support/security/harness.ts';
import { claimsOf } from '../../support/security/jwt.ts';

const ME = '/api/v1/users/me';

interface Pair {
  access_token: string;
  refresh_token: string;
}

function refresh(s: SecurityApp, token: string): Promise<Response> {
  return s.post('/api/v1/auth/refresh', { refresh_token: token });
}

async function rotate(s: SecurityApp, token: string): Promise<Pair> {
  const res = await refresh(s, token);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Pair;
}

async function revokedAt(s: SecurityApp, sessionId: string): Promise<Date | null> {
  const [row] = await s.sql<{ revoked_at: Date | null }>(
    'select revoked_at from sessions where id = ?',
    [sessionId],
  );
  if (!row) throw new Error(`no session ${sessionId}`);
  return row.revoked_at;
}

describe('refresh-token rotation and reuse detection', () => {
  it('kills the rotated token: presenting it again never yields tokens', async () => {
    const s = await securityApp();
    const v = await register(s);
    const next = await rotate(s, v.refreshToken);
    expect(next.refresh_token).not.toBe(v.refreshToken);
    const again = await problemOf(await refresh(s, v.refreshToken), 401);
    expect(again.code).toBe('invalid_refresh_token');
  });

  it('treats the rotated token presented after the 10 s grace as reuse and revokes the whole session', async () => {
    const s = await securityApp();
    const v = await register(s);
    const sessionId = claimsOf(v.accessToken).sid;
    const next = await rotate(s, v.refreshToken);
    expect((await s.get(ME, next.access_token)).status).toBe(200);

    s.clock.advance(11_000);
    await expectUnauthenticated(await refresh(s, v.refreshToken));

    expect(await revokedAt(s, sessionId)).not.toBeNull();
    // The thief's copy and the legitimate newest pair are both dead now.
    await expectUnauthenticated(await refresh(s, next.refresh_token));
    await expectUnauthenticated(await s.get(ME, next.access_token));
    await expectUnauthenticated(await s.get(ME, v.accessToken));
  });

  it('treats the rotated token presented within the grace as a lost race: 401, but the session and its new tokens live on', async () => {
    const s = await securityApp();
    const v = await register(s);
    const sessionId = claimsOf(v.accessToken).sid;
    const next = await rotate(s, v.refreshToken);

    s.clock.advance(9_000);
    await expectUnauthenticated(await refresh(s, v.refreshToken));

    expect(await revokedAt(s, sessionId)).toBeNull();
    expect((await s.get(ME, next.access_token)).status).toBe(200);
    const after = await rotate(s, next.refresh_token);
    expect((await s.get(ME, after.access_token)).status).toBe(200);
  });

  it('treats a token two rotations old as reuse even inside the grace window', async () => {
    const s = await securityApp();
    const v = await register(s);
    const sessionId = claimsOf(v.accessToken).sid;
    const second = await rotate(s, v.refreshToken);
    const third = await rotate(s, second.refresh_token);

    s.clock.advance(1_000);
    await expectUnauthenticated(await refresh(s, v.refreshToken));

    expect(await revokedAt(s, sessionId)).not.toBeNull();
    await expectUnauthenticated(await refresh(s, third.refresh_token));
    await expectUnauthenticated(await s.get(ME, third.access_token));
  });

  it('lets exactly one of five concurrent refreshes of the same token win, and keeps the session alive', async () => {
    const s = await securityApp();
    const v = await register(s);
    const sessionId = claimsOf(v.accessToken).sid;
    // The race is decided by scheduling, so it is run several times over on the same session.
    let current: Pair = { access_token: v.accessToken, refresh_token: v.refreshToken };
    for (let round = 1; round <= 25; round++) {
      const responses = await Promise.all(
        Array.from({ length: 5 }, () => refresh(s, current.refresh_token)),
      );
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses, `round ${round}`).toEqual([200, 401, 401, 401, 401]);
      for (const loser of responses.filter((r) => r.status === 401)) {
        expect((await problemOf(loser)).code).toBe('invalid_refresh_token');
      }
      current = (await responses.find((r) => r.status === 200)!.json()) as Pair;
      expect(await revokedAt(s, sessionId), `session revoked in round ${round}`).toBeNull();
      expect((await s.get(ME, current.access_token)).status, `round ${round}`).toBe(200);
    }
    const after = await rotate(s, current.refresh_token);
    expect((await s.get(ME, after.access_token)).status).toBe(200);
  });

  it('does not revive a session revoked for reuse when the newest token is presented again later', async () => {
    const s = await securityApp();
    const v = await register(s);
    const next = await rotate(s, v.refreshToken);
    s.clock.advance(60_000);
    await expectUnauthenticated(await refresh(s, v.refreshToken));
    s.clock.advance(60_000);
    await expectUnauthenticated(await refresh(s, next.refresh_token));
    const login = await s.post('/api/v1/auth/login', { email: v.email, password: v.password });
    expect(login.status).toBe(200);
  });

  it('refuses an unknown, an empty-ish and an oversized refresh token without touching any session', async () => {
    const s = await securityApp();
    const v = await register(s);
    await expectUnauthenticated(await refresh(s, `${v.refreshToken}x`));
    await expectUnauthenticated(await refresh(s, v.refreshToken.slice(0, -1)));
    expect((await refresh(s, 'x'.repeat(513))).status).toBe(400);
    expect((await refresh(s, '')).status).toBe(400);
    expect((await rotate(s, v.refreshToken)).access_token).toBeTruthy();
  });
});
