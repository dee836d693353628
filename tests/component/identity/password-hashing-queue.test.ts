import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { setTimeout as delay } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
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

  it('answers 500 problem+json, not 401, when the hashing thread dies mid-check, and logs in again on a new thread', async () => {
    const s = await securityApp({ PASSWORD_HASH_CONCURRENCY: '1' });
    // Node announces every new thread on this channel: the test gets the real hashing thread.
    const threads: Worker[] = [];
    const onThread = (message: unknown) => threads.push((message as { worker: Worker }).worker);
    subscribe('worker_threads', onThread);
    try {
      const v = await register(s);
      expect(threads).toHaveLength(1);
      const failures = async () =>
        (
          await s.sql<{ failed_login_count: number }>(
            'select failed_login_count from users where email = ?',
            [v.email],
          )
        )[0]?.failed_login_count;
      const [{ password_hash: stored } = { password_hash: '' }] = await s.sql<{
        password_hash: string;
      }>('select password_hash from users where email = ?', [v.email]);
      // Cost 14: seconds of bcrypt, so the thread is well inside the check when it is killed.
      await s.sql('update users set password_hash = ? where email = ?', [SLOW_HASH, v.email]);

      const answer = logIn(s, v.email, v.password);
      // The attempt is charged just before the check is handed to the thread.
      await vi.waitFor(async () => expect(await failures()).toBe(1), { timeout: 10_000 });
      await delay(100);
      await threads[0]?.terminate();
      const res = await answer;
      expect((await problemOf(res, 500)).code).toBe('internal_error');
      const logged = s.logs.records().filter((r) => r.msg === 'unhandled error');
      expect(JSON.stringify(logged)).toContain('PasswordHashingError');
      expect(JSON.stringify(logged)).not.toContain(v.password);

      await s.sql('update users set password_hash = ? where email = ?', [stored, v.email]);
      expect((await logIn(s, v.email, v.password)).status).toBe(200);
      expect(threads).toHaveLength(2);
    } finally {
      unsubscribe('worker_threads', onThread);
    }
  });
});

/** A bcrypt hash at cost 14 (of a password no test uses): seconds of work to verify. */
const SLOW_HASH = '$2b$14$fKI5QeU5EVXndKOCP6ivZOYbk1rOE1o4bDMslZrER95R2ikcbEW52';
