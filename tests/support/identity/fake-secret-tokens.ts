import type { SecretTokens } from '../../../src/modules/identity/application/ports.ts';

/** Predictable tokens (`secret-1`, ...) whose hashes are visibly not the token. */
export class FakeSecretTokens implements SecretTokens {
  private counter = 0;

  generate(): string {
    this.counter += 1;
    return `secret-${this.counter}`;
  }

  hash(token: string): string {
    return `sha256(${token})`;
  }
}
