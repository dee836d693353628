import type { UserDirectory } from '../../../src/modules/tasks/application/ports.ts';

interface DirectoryEntry {
  id: string;
  isActive: boolean;
  emailVerified: boolean;
}

export class InMemoryUserDirectory implements UserDirectory {
  private readonly users = new Map<string, DirectoryEntry>();

  async findAssignable(userId: string): Promise<DirectoryEntry | undefined> {
    const user = this.users.get(userId);
    return user && { ...user };
  }

  private readonly admins = new Set<string>();

  async isSiteAdmin(userId: string): Promise<boolean> {
    return this.admins.has(userId) && this.users.get(userId)?.isActive === true;
  }

  /** An active, verified site admin. */
  addAdmin(id: string): string {
    this.admins.add(id);
    return this.add(id);
  }

  /** An active, verified user unless the overrides say otherwise. */
  add(id: string, overrides: Partial<Omit<DirectoryEntry, 'id'>> = {}): string {
    this.users.set(id, { id, isActive: true, emailVerified: true, ...overrides });
    return id;
  }
}
