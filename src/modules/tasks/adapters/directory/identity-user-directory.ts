import type { UserDirectory } from '../../application/ports.ts';

export interface AssignableUser {
  id: string;
  isActive: boolean;
  emailVerified: boolean;
}

/** Answers the tasks module's questions about users from the identity module's records. */
export class IdentityUserDirectory implements UserDirectory {
  private readonly find: (userId: string) => Promise<AssignableUser | undefined>;

  constructor(find: (userId: string) => Promise<AssignableUser | undefined>) {
    this.find = find;
  }

  async findAssignable(userId: string): Promise<AssignableUser | undefined> {
    const user = await this.find(userId);
    return user && { id: user.id, isActive: user.isActive, emailVerified: user.emailVerified };
  }
}
