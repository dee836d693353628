import { describe, expect, it } from 'vitest';
import { logIn, problemOf, register, securityApp } from '../../support/security/harness.ts';

describe('password hashing under load', () => {
  it('refuses logins beyond the hashing queue with 503 server_busy and Retry-After, charging no attempt for them', async () => {
    // One hash at a time and no queue; cost 12 (not the tests' usual 4) makes each hash far
    // slower than the lookups before it, so parallel logins cannot all take turns.
    const s = await securityApp({
      BCRYPT_COST: '12',
      PASSWORD_HASH_CONCURRENCY: '1',
      PASSWORD_HASH_QUEUE: '0',
    });
    const v = await register(s);

    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => logIn(s, v.email, `not the password ${i}`)),
    );
    const statuses = answers.map((res) => res.status);
    const busy = answers.filter((res) => res.status === 503);
    const denied = statuses.filter((status) => status === 401).length;
    expect(busy.length).toBeGreaterThan(0);
    expect(busy.length + denied).toBe(answers.length);
    for (const res of busy) {
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await problemOf(res, 503)).code).toBe('server_busy');
    }

    const [row] = await s.sql<{ failed_login_count: number }>(
      'select failed_login_count from users where email = ?',
      [v.email],
    );
    expect(row?.failed_login_count).toBe(denied);
    // Once the queue has drained, the right password gets in.
    expect((await logIn(s, v.email, v.password)).status).toBe(200);
  });
});
