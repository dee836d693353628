import { dictionary } from '@zxcvbn-ts/language-common';
import type { CommonPasswordList } from '../../domain/password-policy.ts';

/** The ~49k most common passwords from leaked corpora, as shipped with zxcvbn-ts. */
export class ZxcvbnCommonPasswords implements CommonPasswordList {
  private readonly passwords: ReadonlySet<string>;

  constructor(passwords: readonly string[] = dictionary['passwords-common']) {
    this.passwords = new Set(passwords.map((password) => password.toLowerCase()));
  }

  get size(): number {
    return this.passwords.size;
  }

  has(lowercased: string): boolean {
    return this.passwords.has(lowercased);
  }
}
