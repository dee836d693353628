import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkPassword,
  PASSWORD_MAX,
  PASSWORD_MIN,
} from '../../../src/modules/identity/domain/password-policy.ts';
import { COMMON_PASSWORDS } from '../../support/identity/identity-testbed.ts';

const email = 'ada@example.com';
const check = (password: string) =>
  checkPassword(password, { email, commonPasswords: COMMON_PASSWORDS });
const reasonOf = (password: string) =>
  check(password).match(
    () => 'ok',
    (error) => error.reason,
  );
/** NFC strings of `min`..`max` code points from the whole Unicode range. */
const codePoints = (min: number, max: number) =>
  fc
    .string({ unit: 'binary', minLength: min, maxLength: max })
    .map((password) => password.normalize('NFC'))
    .filter((password) => [...password].length >= min && [...password].length <= max);

describe('password policy', () => {
  it('accepts a long passphrase without any composition rules', () => {
    expect(reasonOf('correct horse battery staple')).toBe('ok');
  });

  it('rejects passwords shorter than 8 or longer than 128 code points', () => {
    expect(reasonOf('a'.repeat(PASSWORD_MIN - 1))).toBe('too_short');
    expect(reasonOf('a'.repeat(PASSWORD_MAX + 1))).toBe('too_long');
  });

  it('counts code points, so 8 emoji are long enough and 128 emoji are not too long', () => {
    expect(reasonOf('🔑'.repeat(PASSWORD_MIN))).toBe('ok');
    expect(reasonOf('🔑'.repeat(PASSWORD_MAX))).toBe('ok');
    expect(reasonOf('🔑'.repeat(PASSWORD_MIN - 1))).toBe('too_short');
  });

  it('judges the NFC form, so a decomposed accent counts as one character', () => {
    const decomposed = 'cafe\u0301 ab';
    expect([...decomposed]).toHaveLength(PASSWORD_MIN);
    expect(reasonOf(decomposed)).toBe('too_short');
  });

  it('rejects common passwords whatever their case', () => {
    expect(reasonOf('password')).toBe('common');
    expect(reasonOf('PassWord1')).toBe('common');
  });

  it('rejects the account email as password, whatever its case', () => {
    expect(reasonOf('Ada@Example.com')).toBe('equals_email');
  });

  it('accepts any 8–128 code points that are neither common nor the email', () => {
    fc.assert(
      fc.property(codePoints(PASSWORD_MIN, PASSWORD_MAX), (password) => {
        fc.pre(!COMMON_PASSWORDS.has(password.toLowerCase()) && password.toLowerCase() !== email);
        expect(check(password).isOk()).toBe(true);
      }),
    );
  });

  it('rejects anything shorter than 8 or longer than 128 code points', () => {
    fc.assert(
      fc.property(
        fc.oneof(codePoints(0, PASSWORD_MIN - 1), codePoints(PASSWORD_MAX + 1, PASSWORD_MAX * 2)),
        (password) => {
          expect(['too_short', 'too_long']).toContain(reasonOf(password));
        },
      ),
    );
  });
});
