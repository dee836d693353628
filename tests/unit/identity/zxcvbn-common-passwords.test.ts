import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ZxcvbnCommonPasswords } from '../../../src/modules/identity/adapters/security/zxcvbn-common-passwords.ts';
import { checkPassword } from '../../../src/modules/identity/domain/password-policy.ts';

const commonPasswords = new ZxcvbnCommonPasswords();

describe('ZxcvbnCommonPasswords', () => {
  it('loads the full zxcvbn list, not a stub', () => {
    expect(commonPasswords.size).toBeGreaterThan(10_000);
  });

  it.each(['password', 'qwerty123', 'iloveyou', 'Password', 'QWERTY123'])(
    'makes the policy reject %s',
    (password) => {
      const result = checkPassword(password, { email: 'ada@example.com', commonPasswords });
      expect(result._unsafeUnwrapErr()).toEqual({ type: 'WeakPassword', reason: 'common' });
    },
  );

  it('lets a random 20-character password through', () => {
    const password = randomBytes(15).toString('base64url');
    expect(password).toHaveLength(20);
    expect(checkPassword(password, { email: 'ada@example.com', commonPasswords }).isOk()).toBe(
      true,
    );
  });
});
