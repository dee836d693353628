import { describe, expect, it } from 'vitest';
import {
  logIn,
  uniqueEmail,
  problemOf,
  register,
  type ProblemJson,
  securityApp,
  type SecurityApp,
} from '../../support/security/harness.ts';

const WRONG = 'not the password at all';

async function failTimes(s: SecurityApp, email: string, times: number): Promise<void> {
  for (let i = 1; i <= times; i++) {
    const res = await logIn(s, email, `${WRONG} ${i}`);
    expect((await problemOf(res, 401)).code, `attempt ${i}`).toBe('invalid_credentials');
  }
}

async function lockState(s: SecurityApp, email: string) {
  const [row] = await s.sql<{ failed_login_count: number; locked_until: Date | null }>(
    'select failed_login_count, locked_until from users where email = ?',
    [email],
  );
  return row;
}

describe('login lockout', () => {
  it('locks after five wrong passwords: the next attempt, even with the right password, gets 423 with Retry-After', async () => {
    const s = await securityApp();
    const v = await register(s);
    await failTimes(s, v.email, 5);

    const locked = await logIn(s, v.email, v.password);
    const body = await problemOf(locked, 423);
    expect(body.code).toBe('account_locked');
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(14 * 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(locked.headers.get('content-type')).toBe('application/problem+json');
    expect(JSON.stringify(body)).not.toContain('access_token');
  });

  it('answers a locked account the same whether the password is right or wrong (no guessing oracle)', async () => {
    const s = await securityApp();
    const v = await register(s);
    await failTimes(s, v.email, 5);
    const right = await logIn(s, v.email, v.password);
    const wrong = await logIn(s, v.email, WRONG);
    expect(right.status).toBe(423);
    expect(wrong.status).toBe(423);
    const withoutId = (body: ProblemJson): Partial<ProblemJson> => {
      const copy: Partial<ProblemJson> = { ...body };
      delete copy.request_id;
      return copy;
    };
    expect(withoutId(await problemOf(right))).toEqual(withoutId(await problemOf(wrong)));
    expect(right.headers.get('retry-after')).toBe(wrong.headers.get('retry-after'));
  });

  it('keeps the lock for the full 15 minutes and lifts it after, with no sleeping (clock override)', async () => {
    const s = await securityApp();
    const v = await register(s);
    await failTimes(s, v.email, 5);

    s.clock.advance(14 * 60_000 + 30_000);
    const stillLocked = await logIn(s, v.email, v.password);
    expect(stillLocked.status).toBe(423);
    expect(Number(stillLocked.headers.get('retry-after'))).toBeLessThanOrEqual(30);
    expect(Number(stillLocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    s.clock.advance(31_000);
    const res = await logIn(s, v.email, v.password);
    expect(res.status).toBe(200);
    const state = await lockState(s, v.email);
    expect(state?.failed_login_count).toBe(0);
    expect(state?.locked_until).toBeNull();
  });

  it('starts counting afresh after a lock expires: one more wrong password does not re-lock', async () => {
    const s = await securityApp();
    const v = await register(s);
    await failTimes(s, v.email, 5);
    s.clock.advance(15 * 60_000 + 1_000);
    await failTimes(s, v.email, 1);
    expect((await logIn(s, v.email, v.password)).status).toBe(200);
  });

  it('clears the counter on a successful login, so failures must be consecutive', async () => {
    const s = await securityApp();
    const v = await register(s);
    await failTimes(s, v.email, 4);
    expect((await logIn(s, v.email, v.password)).status).toBe(200);
    await failTimes(s, v.email, 4);
    expect((await logIn(s, v.email, v.password)).status).toBe(200);
  });

  it('clears the lock on a password reset', async () => {
    const s = await securityApp();
    const v = await register(s);
    await failTimes(s, v.email, 5);
    expect((await s.post('/api/v1/auth/password/forgot', { email: v.email })).status).toBe(202);
    await s.mailSettled();
    const token = s.mailer.tokenFrom(v.email, 'Reset');
    const newPassword = 'a completely new passphrase 7';
    const reset = await s.post('/api/v1/auth/password/reset', { token, password: newPassword });
    expect(reset.status).toBe(204);
    expect((await logIn(s, v.email, newPassword)).status).toBe(200);
  });

  it('locks the account after a burst of ten parallel wrong guesses (the failure counter must not lose updates)', async () => {
    const s = await securityApp();
    const v = await register(s);
    const burst = await Promise.all(
      Array.from({ length: 10 }, (_, i) => logIn(s, v.email, `${WRONG} parallel ${i}`)),
    );
    for (const res of burst) expect([401, 423]).toContain(res.status);

    const state = await lockState(s, v.email);
    const next = await logIn(s, v.email, v.password);
    expect(
      next.status,
      `after 10 parallel failures: failed_login_count=${state?.failed_login_count}, locked_until=${String(state?.locked_until)}`,
    ).toBe(423);
    expect((await problemOf(next)).code).toBe('account_locked');
  });

  it('lets no more than five of a parallel burst of guesses reach a password check (the rest get 423)', async () => {
    const s = await securityApp();
    const v = await register(s);
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) => logIn(s, v.email, `${WRONG} burst ${i}`)),
    );
    const statuses = burst.map((res) => res.status);
    expect(
      statuses.every((status) => status === 401 || status === 423),
      String(statuses),
    ).toBe(true);
    expect(
      statuses.filter((status) => status === 401).length,
      String(statuses),
    ).toBeLessThanOrEqual(5);
    expect((await logIn(s, v.email, v.password)).status).toBe(423);
  });
});

describe('lockout of addresses without an account', () => {
  const withoutId = (body: ProblemJson): Partial<ProblemJson> => {
    const copy: Partial<ProblemJson> = { ...body };
    delete copy.request_id;
    return copy;
  };

  it('locks an unknown email exactly as a real account: same statuses, bodies and Retry-After', async () => {
    const s = await securityApp();
    const known = await register(s);
    const unknown = uniqueEmail('nobody');
    for (let attempt = 1; attempt <= 7; attempt++) {
      const a = await logIn(s, known.email, `${WRONG} ${attempt}`);
      const b = await logIn(s, unknown, `${WRONG} ${attempt}`);
      expect([a.status, b.status], `attempt ${attempt}`).toEqual(
        attempt <= 5 ? [401, 401] : [423, 423],
      );
      expect(withoutId(await problemOf(b))).toEqual(withoutId(await problemOf(a)));
      expect(b.headers.get('retry-after')).toBe(a.headers.get('retry-after'));
      s.clock.advance(1_000);
    }
  });

  it('lifts the lock of an unknown email after 15 minutes and counts afresh', async () => {
    const s = await securityApp();
    const unknown = uniqueEmail('nobody');
    await failTimes(s, unknown, 5);
    expect((await logIn(s, unknown, WRONG)).status).toBe(423);
    s.clock.advance(15 * 60_000 + 1_000);
    await failTimes(s, unknown, 4);
    expect((await logIn(s, unknown, WRONG)).status).toBe(401);
    expect((await logIn(s, unknown, WRONG)).status).toBe(423);
  });
});

describe('the way out of a lockout', () => {
  it('lets the owner sign in through the reset path while someone keeps locking the account', async () => {
    const s = await securityApp();
    const v = await register(s);
    await failTimes(s, v.email, 5);
    expect((await logIn(s, v.email, v.password)).status).toBe(423);
    // The reset mail can be asked for while locked; resetting lifts the lock at once.
    expect((await s.post('/api/v1/auth/password/forgot', { email: v.email })).status).toBe(202);
    await s.mailSettled();
    const token = s.mailer.tokenFrom(v.email, 'Reset');
    const newPassword = 'the owner takes it back 42';
    expect(
      (await s.post('/api/v1/auth/password/reset', { token, password: newPassword })).status,
    ).toBe(204);
    expect((await logIn(s, v.email, newPassword)).status).toBe(200);
  });
});

describe('password/forgot', () => {
  it('answers 202 before its work is done, so the answer does not wait on the account', async () => {
    const s = await securityApp();
    const v = await register(s);
    expect((await s.post('/api/v1/auth/password/forgot', { email: v.email })).status).toBe(202);
    await s.mailSettled();
    // Hold the row lock the next request's work needs (it invalidates this reset token).
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const holder = s.container.orm.em.fork().transactional(async (em) => {
      await em.execute(
        `select id from one_time_tokens where user_id = (select id from users where email = ?) for update`,
        [v.email],
      );
      locked();
      await held;
    });
    await lockTaken;
    try {
      const answer = await Promise.race([
        s.post('/api/v1/auth/password/forgot', { email: v.email }),
        new Promise<'blocked'>((resolve) => setTimeout(() => resolve('blocked'), 5_000)),
      ]);
      expect(answer === 'blocked' ? 'blocked' : answer.status).toBe(202);
    } finally {
      release();
      await holder;
    }
    await s.mailSettled();
    expect(
      s.mailer.sent.filter((m) => m.to === v.email && m.subject.includes('Reset')),
    ).toHaveLength(2);
  });
});
