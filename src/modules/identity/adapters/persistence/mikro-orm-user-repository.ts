import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { UserRepository } from '../../application/ports.ts';
import type { Role } from '../../domain/role.ts';
import { User } from '../../domain/user.ts';
import { UserRecord } from './identity.entities.ts';

type UserRow = InstanceType<typeof UserRecord.class>;

/** Users as rows; every write is a single native statement (no unit of work to go stale). */
export class MikroOrmUserRepository implements UserRepository {
  private readonly em: EntityManager;

  /** `em` is the global manager: inside a request or job it resolves to that context's fork. */
  constructor(em: EntityManager) {
    this.em = em;
  }

  async findById(id: string): Promise<User | undefined> {
    const row = await this.em.findOne(UserRecord, { id }, { disableIdentityMap: true });
    return row ? toUser(row) : undefined;
  }

  async findByEmail(normalisedEmail: string): Promise<User | undefined> {
    const row = await this.em.findOne(
      UserRecord,
      { email: normalisedEmail },
      { disableIdentityMap: true },
    );
    return row ? toUser(row) : undefined;
  }

  async insert(user: User): Promise<boolean> {
    try {
      await this.em.insert(UserRecord, toRow(user));
      return true;
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) return false;
      throw err;
    }
  }

  async update(user: User): Promise<void> {
    const { id, ...changes } = toRow(user);
    await this.em.nativeUpdate(UserRecord, { id }, changes);
  }

  async list(query: {
    page: number;
    limit: number;
    q?: string;
  }): Promise<{ items: User[]; total: number }> {
    const pattern = query.q ? `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
    const where = pattern
      ? { $or: [{ email: { $ilike: pattern } }, { fullName: { $ilike: pattern } }] }
      : {};
    const [rows, total] = await this.em.findAndCount(UserRecord, where, {
      orderBy: { createdAt: 'desc', id: 'desc' },
      limit: query.limit,
      offset: (query.page - 1) * query.limit,
      disableIdentityMap: true,
    });
    return { items: rows.map(toUser), total };
  }
}

function toUser(row: UserRow): User {
  return User.restore({
    id: row.id,
    email: row.email,
    fullName: row.fullName,
    passwordHash: row.passwordHash,
    role: row.role as Role,
    emailVerified: row.emailVerified,
    isActive: row.isActive,
    failedLoginCount: row.failedLoginCount,
    lockedUntil: row.lockedUntil ?? undefined,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });
}

function toRow(user: User) {
  const props = user.toProps();
  return { ...props, lockedUntil: props.lockedUntil ?? null };
}
