import type {
  PasswordCheck,
  PasswordHasher,
} from '../../../src/modules/identity/application/ports.ts';

/** `hashed:<password>`, so tests can build users with known passwords without bcrypt's cost. */
export class FakePasswordHasher implements PasswordHasher {
  /** Passwords checked against no account, to prove unknown emails pay the same cost. */
  readonly dummyVerifications: string[] = [];

  static hashOf(password: string): string {
    return `hashed:${password}`;
  }

  async hash(password: string): Promise<string> {
    return FakePasswordHasher.hashOf(password);
  }

  async verify(password: string, hash: string): Promise<boolean> {
    return hash === FakePasswordHasher.hashOf(password);
  }

  async verifyDummy(password: string): Promise<void> {
    this.dummyVerifications.push(password);
  }

  reserve(): PasswordCheck {
    return {
      verify: (password, hash) => this.verify(password, hash),
      verifyDummy: (password) => this.verifyDummy(password),
      release: () => undefined,
    };
  }
}
