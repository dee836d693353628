import type { Account, AccountDirectory } from '../../../src/modules/tasks/application/ports.ts';

/** Accounts by id and by address, as identity would answer. */
export class InMemoryAccountDirectory implements AccountDirectory {
  private readonly accounts = new Map<string, Account>();

  findById(userId: string): Promise<Account | undefined> {
    const account = this.accounts.get(userId);
    return Promise.resolve(account && { ...account });
  }

  findByEmail(normalisedEmail: string): Promise<Account | undefined> {
    for (const account of this.accounts.values()) {
      if (account.email === normalisedEmail) return Promise.resolve({ ...account });
    }
    return Promise.resolve(undefined);
  }

  /** An active, verified account at `<id>@example.test` unless the overrides say otherwise. */
  add(id: string, overrides: Partial<Omit<Account, 'id'>> = {}): Account {
    const account = {
      id,
      email: `${id}@example.test`,
      fullName: `User ${id.slice(0, 8)}`,
      emailVerified: true,
      isActive: true,
      ...overrides,
    };
    this.accounts.set(id, account);
    return account;
  }
}
