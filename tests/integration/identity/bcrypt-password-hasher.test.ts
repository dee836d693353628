import { parseOptions } from '@node-rs/bcrypt';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  BcryptPasswordHasher,
  PasswordHashingError,
} from '../../../src/modules/identity/adapters/security/bcrypt-password-hasher.ts';

// Each cost-12 hash or verify takes ~170 ms of one core: only the test of the cost itself pays it.
const hasher = new BcryptPasswordHasher(4, { allowTestCost: true });

/** Every thread Node starts until `stop()`: Node announces each on this channel. */
function threadStarts(): { threads: Worker[]; stop: () => void } {
  const threads: Worker[] = [];
  const onThread = (message: unknown) => threads.push((message as { worker: Worker }).worker);
  subscribe('worker_threads', onThread);
  return { threads, stop: () => unsubscribe('worker_threads', onThread) };
}

describe('BcryptPasswordHasher', () => {
  it('verifies the password it hashed, at cost 12, and rejects another', async () => {
    const password = 'correct horse café staple';
    const stored = await new BcryptPasswordHasher(12).hash(password);
    expect(parseOptions(stored)).toEqual({ version: '2b', cost: 12 });
    expect(await hasher.verify(password, stored)).toBe(true);
    expect(await hasher.verify('correct horse cafe staple', stored)).toBe(false);
    // The same text typed with a decomposed é (e + combining accent) is the same password.
    expect(await hasher.verify(password.normalize('NFD'), stored)).toBe(true);
  });

  it('tells apart passwords that differ only after byte 72', async () => {
    const prefix = 'é'.repeat(36); // 72 bytes of UTF-8
    const stored = await hasher.hash(`${prefix}-first`);
    expect(await hasher.verify(`${prefix}-second`, stored)).toBe(false);
  });

  it('answers false for a malformed hash instead of throwing', async () => {
    for (const malformed of [
      '',
      'not a hash',
      '$2b$12$tooshort',
      '$2b$99$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz012',
    ]) {
      expect(await hasher.verify('whatever', malformed)).toBe(false);
    }
  });

  it('hashes off the event loop and libuv pool, on threads of lower priority than the caller (Linux)', async () => {
    const niceOf = (tid: string) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    };
    const before = new Set(readdirSync('/proc/self/task'));
    const own = new BcryptPasswordHasher(4, { concurrency: 1, maxWaiting: 0, allowTestCost: true });
    await own.hash('a password for a thread of its own');
    const started = readdirSync('/proc/self/task').filter((tid) => !before.has(tid));
    expect(started.map(niceOf)).toContain(10);
    expect(niceOf(String(process.pid))).toBe(0);
  });

  it('stops a thread left idle, and starts one again for the next hash', async () => {
    const { threads, stop } = threadStarts();
    try {
      // Long enough that the first thread is still there when the second one answers, on a
      // loaded machine too.
      const own = new BcryptPasswordHasher(4, {
        concurrency: 2,
        idleThreadMs: 1_500,
        allowTestCost: true,
      });
      const stored = await Promise.all([own.hash('one password'), own.hash('another')]);
      expect(own.threads).toBe(2);
      const exited = threads.map(
        (thread) => new Promise((resolve) => thread.once('exit', resolve)),
      );
      await Promise.all(exited);
      expect(own.threads).toBe(0);
      // A thread stopped while idle is no failure: the next check starts a fresh one and answers.
      expect(await own.verify('one password', stored[0])).toBe(true);
      expect(await own.verify('not it', stored[1])).toBe(false);
      expect(own.threads).toBe(1);
      expect(threads).toHaveLength(3);
    } finally {
      stop();
    }
  });

  it('keeps a thread that gets work before its idle time is up', async () => {
    const { threads, stop } = threadStarts();
    try {
      const own = new BcryptPasswordHasher(4, {
        concurrency: 1,
        idleThreadMs: 300,
        allowTestCost: true,
      });
      for (let i = 0; i < 4; i++) {
        await own.hash(`password ${i}`);
        await delay(100);
      }
      // Each hash came within the idle time of the last: one thread did them all.
      expect(threads).toHaveLength(1);
      expect(own.threads).toBe(1);
      await new Promise((resolve) => threads[0]!.once('exit', resolve));
      expect(own.threads).toBe(0);
    } finally {
      stop();
    }
  });

  it('refuses a cost below 12, or below bcrypt’s own 4 where a test run allows less', () => {
    expect(() => new BcryptPasswordHasher(11)).toThrow(RangeError);
    expect(() => new BcryptPasswordHasher(4)).toThrow(RangeError);
    expect(() => new BcryptPasswordHasher(12.5)).toThrow(RangeError);
    expect(() => new BcryptPasswordHasher(3, { allowTestCost: true })).toThrow(RangeError);
    expect(() => new BcryptPasswordHasher(32, { allowTestCost: true })).toThrow(RangeError);
  });

  it('hashes at the cost it was given', async () => {
    expect(parseOptions(await hasher.hash('a password'))).toEqual({ version: '2b', cost: 4 });
  });

  it('spends a verification on unknown users without failing', async () => {
    await expect(
      Promise.all([hasher.verifyDummy('guess-1'), hasher.verifyDummy('guess-2')]),
    ).resolves.toEqual([undefined, undefined]);
  });

  it('fails a check whose thread dies mid-verify, instead of calling the password wrong, and hashes on a new thread after', async () => {
    // The test gets the real hashing thread, as Node starts it.
    const { threads, stop } = threadStarts();
    try {
      const own = new BcryptPasswordHasher(12, { concurrency: 1, maxWaiting: 1 });
      const stored = await own.hash('the right password');
      expect(threads).toHaveLength(1);

      // Cost 14: seconds of bcrypt, so the thread is well inside it when it is killed.
      const check = own.verify('anything', SLOW_HASH);
      const outcome = check.then(
        (matched) => ({ matched }),
        (error: unknown) => ({ error }),
      );
      await delay(100);
      await threads[0]?.terminate();
      const result = await outcome;
      expect(result).not.toHaveProperty('matched');
      expect((result as { error: unknown }).error).toBeInstanceOf(PasswordHashingError);

      // The dead thread is replaced: the same hasher answers right and wrong again.
      expect(await own.verify('the right password', stored)).toBe(true);
      expect(await own.verify('the wrong password', stored)).toBe(false);
      expect(threads).toHaveLength(2);
    } finally {
      stop();
    }
  });
});

/** A bcrypt hash at cost 14 (of a password no test uses): seconds of work to verify. */
const SLOW_HASH = '$2b$14$fKI5QeU5EVXndKOCP6ivZOYbk1rOE1o4bDMslZrER95R2ikcbEW52';
