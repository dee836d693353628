import type { UserLookup } from '../../../identity/index.ts';
import type { AssignableUser, UserDirectory } from '../../application/ports.ts';

/** Answers the tasks module's questions about users from the identity module's records. */
export class IdentityUserDirectory implements UserDirectory {
  private readonly users: UserLookup;

  constructor(users: UserLookup) {
    this.users = users;
  }

  async findAssignable(userId: string): Promise<AssignableUser | undefined> {
    const user = await this.users.findById(userId);
    return user && { id: user.id, isActive: user.isActive, emailVerified: user.emailVerified };
  }

  async isSiteAdmin(userId: string): Promise<boolean> {
    const user = await this.users.findById(userId);
    return user?.role === 'admin' && user.isActive;
  }
}
