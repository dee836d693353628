import type {
  LoginAdmission,
  UserRepository,
} from '../../../src/modules/identity/application/ports.ts';
import {
  User,
  type LockoutPolicy,
  type UserProps,
} from '../../../src/modules/identity/domain/user.ts';

/**
 * Stores copies, so a use case that forgets `update` is caught, as it would be with a database;
 * `update` writes only the pending changes, as the real repository does.
 */
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
    user.markSaved();
    return true;
  }

  async update(user: User): Promise<void> {
    this.rows.set(user.id, { ...this.row(user.id), ...user.pendingChanges() });
    user.markSaved();
  }

  /** Synchronous between reading and writing the row, so as atomic as the real statement. */
  async beginLoginAttempt(
    userId: string,
    now: Date,
    policy: LockoutPolicy,
  ): Promise<LoginAdmission> {
    const row = this.row(userId);
    const retryAfterSeconds = User.restore(row).lockRemainingSeconds(now);
    if (retryAfterSeconds > 0) return { locked: true, retryAfterSeconds };
    const count = (row.lockedUntil ? 0 : row.failedLoginCount) + 1;
    const lockedUntil =
      count >= policy.maxFailures
        ? new Date(now.getTime() + policy.lockMinutes * 60_000)
        : undefined;
    this.rows.set(userId, { ...row, failedLoginCount: count, lockedUntil });
    return { locked: false };
  }

  async clearLoginFailures(userId: string): Promise<void> {
    this.rows.set(userId, { ...this.row(userId), failedLoginCount: 0, lockedUntil: undefined });
  }

  async list(query: {
    page: number;
    limit: number;
    q?: string;
  }): Promise<{ items: User[]; total: number }> {
    const q = query.q?.toLowerCase();
    const matching = [...this.rows.values()]
      .filter((r) => !q || r.email.includes(q) || r.fullName.toLowerCase().includes(q))
      // Newest first, as the real list (created_at desc, id desc).
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || compare(b.id, a.id));
    const start = (query.page - 1) * query.limit;
    return {
      items: matching.slice(start, start + query.limit).map((r) => User.restore(r)),
      total: matching.length,
    };
  }

  /** Seeds a user directly, bypassing registration. */
  add(user: User): User {
    this.rows.set(user.id, user.toProps());
    user.markSaved();
    return user;
  }

  private row(id: string): UserProps {
    const row = this.rows.get(id);
    if (!row) throw new Error(`unknown user ${id}`);
    return row;
  }

  /** The stored state, for assertions. */
  stored(id: string): UserProps | undefined {
    const row = this.rows.get(id);
    return row && { ...row };
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
