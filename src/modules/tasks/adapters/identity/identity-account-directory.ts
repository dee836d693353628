import type { UserAddressBook } from '../../../identity/index.ts';
import type { Account, AccountDirectory } from '../../application/ports.ts';

/** Answers invitations' questions about accounts from the identity module's records. */
export class IdentityAccountDirectory implements AccountDirectory {
  private readonly users: UserAddressBook;

  constructor(users: UserAddressBook) {
    this.users = users;
  }

  async findById(userId: string): Promise<Account | undefined> {
    return toAccount(await this.users.findById(userId));
  }

  async findByEmail(normalisedEmail: string): Promise<Account | undefined> {
    return toAccount(await this.users.findByEmail(normalisedEmail));
  }
}

function toAccount(user: Awaited<ReturnType<UserAddressBook['findById']>>): Account | undefined {
  return (
    user && {
      id: user.id,
      email: user.email,
      fullName: user.fullName,
      emailVerified: user.emailVerified,
      isActive: user.isActive,
    }
  );
}
