import type { UserRepository } from '../../../src/modules/identity/application/ports.ts';
import { User, type UserProps } from '../../../src/modules/identity/domain/user.ts';

/** Stores copies, so a use case that forgets `update` is caught, as it would be with a database. */
export class InMemoryUserRepository implements UserRepository {
  private readonly rows = new Map<string, UserProps>();

  async findById(id: string): Promise<User | undefined> {
    const row = this.rows.get(id);
    return row && User.restore(row);
  }

  async findByEmail(normalisedEmail: string): Promise<User | undefined> {
    const row = [...this.rows.values()].find((r) => r.email === normalisedEmail);
    return row && User.restore(row);
  }

  async insert(user: User): Promise<boolean> {
    if ([...this.rows.values()].some((r) => r.email === user.email)) return false;
    this.rows.set(user.id, user.toProps());
    return true;
  }

  async update(user: User): Promise<void> {
    if (!this.rows.has(user.id)) throw new Error(`update of unknown user ${user.id}`);
    this.rows.set(user.id, user.toProps());
  }

  async list(query: {
    page: number;
    limit: number;
    q?: string;
  }): Promise<{ items: User[]; total: number }> {
    const q = query.q?.toLowerCase();
    const matching = [...this.rows.values()]
      .filter((r) => !q || r.email.includes(q) || r.fullName.toLowerCase().includes(q))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
    const start = (query.page - 1) * query.limit;
    return {
      items: matching.slice(start, start + query.limit).map((r) => User.restore(r)),
      total: matching.length,
    };
  }

  /** Seeds a user directly, bypassing registration. */
  add(user: User): User {
    this.rows.set(user.id, user.toProps());
    return user;
  }

  /** The stored state, for assertions. */
  stored(id: string): UserProps | undefined {
    const row = this.rows.get(id);
    return row && { ...row };
  }
}
