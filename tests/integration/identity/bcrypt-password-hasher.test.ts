import { parseOptions } from '@node-rs/bcrypt';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BcryptPasswordHasher } from '../../../src/modules/identity/adapters/security/bcrypt-password-hasher.ts';

// Each cost-12 hash or verify takes ~170 ms of one core: only the test of the cost itself pays it.
const hasher = new BcryptPasswordHasher(4, { allowTestCost: true });

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
});
