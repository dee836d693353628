import type { QueryResult } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { LoginAdmission, UserRepository } from '../../application/ports.ts';
import type { Role } from '../../domain/role.ts';
import { User, type LockoutPolicy, type UserProps } from '../../domain/user.ts';
import { UserRecord } from './identity.entities.ts';

type UserRow = InstanceType<typeof UserRecord.class>;

interface UserSqlRow {
  id: string;
  email: string;
  full_name: string;
  password_hash: string;
  role: string;
  email_verified: boolean;
  is_active: boolean;
  failed_login_count: number;
  locked_until: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

/** Every authenticated profile read loads its user: named, so each pool connection keeps it planned. */
const USER_BY_ID = {
  name: 'users_by_id',
  text: `select id, email, full_name, password_hash, role, email_verified, is_active,
                failed_login_count, locked_until, created_at, updated_at
           from users where id = $1`,
};

/**
 * Refuses (no row) while a lock runs at `now`; otherwise counts the attempt, from zero when an
 * earlier lock has run out, and locks once the count reaches the limit. One statement, so
 * concurrent attempts queue on the row lock and each sees the count the previous one left.
 * Params: max failures, lock end, user id, now.
 */
const CHARGE_LOGIN_ATTEMPT = `
  update users
     set failed_login_count = case when locked_until is null then failed_login_count + 1 else 1 end,
         locked_until = case
           when (case when locked_until is null then failed_login_count + 1 else 1 end) >= ?
           then ?::timestamptz
         end
   where id = ? and (locked_until is null or locked_until <= ?)
  returning id`;

/** Users as rows; every write is a single native statement (no unit of work to go stale). */
export class MikroOrmUserRepository implements UserRepository {
  private readonly em: EntityManager;

  /** `em` is the global manager: inside a request or job it resolves to that context's fork. */
  constructor(em: EntityManager) {
    this.em = em;
  }

  async findById(id: string): Promise<User | undefined> {
    if (this.em.isInTransaction()) {
      const row = await this.em.findOne(UserRecord, { id }, { disableIdentityMap: true });
      return row ? toUser(row) : undefined;
    }
    // Outside a transaction the read goes straight to the pool as a prepared statement: the ORM
    // would build the query, inline the id (a fresh plan each time) and hydrate an entity.
    const pool = await this.em.getConnection().getNativeClient();
    const { rows } = await pool.query<UserSqlRow>({ ...USER_BY_ID, values: [id] });
    return rows[0] ? fromSql(rows[0]) : undefined;
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
    // `do nothing` rather than catching the unique violation: an error would abort an enclosing
    // transaction, and everything the caller did in it after this would fail.
    const result = await this.em
      .createQueryBuilder(UserRecord)
      .insert(toRow(user.toProps()))
      .onConflict('email')
      .ignore()
      .execute<QueryResult>('run');
    if (result.affectedRows === 0) return false;
    user.markSaved();
    return true;
  }

  async update(user: User): Promise<void> {
    const changes = user.pendingChanges();
    if (Object.keys(changes).length > 0) {
      await this.em.nativeUpdate(UserRecord, { id: user.id }, toRowChanges(changes));
    }
    user.markSaved();
  }

  async beginLoginAttempt(
    userId: string,
    now: Date,
    policy: LockoutPolicy,
  ): Promise<LoginAdmission> {
    const lockEnd = new Date(now.getTime() + policy.lockMinutes * 60_000);
    for (;;) {
      const charged = await this.em.execute<Array<{ id: string }>>(CHARGE_LOGIN_ATTEMPT, [
        policy.maxFailures,
        lockEnd,
        userId,
        now,
      ]);
      if (charged.length > 0) return { locked: false };
      const user = await this.findById(userId);
      if (!user) throw new Error(`login attempt on unknown user ${userId}`);
      const retryAfterSeconds = user.lockRemainingSeconds(now);
      if (retryAfterSeconds > 0) return { locked: true, retryAfterSeconds };
      // The lock was lifted (a password reset) between the two statements: charge again.
    }
  }

  async clearLoginFailures(userId: string): Promise<void> {
    await this.em.execute(
      `update users set failed_login_count = 0, locked_until = null
        where id = ? and (failed_login_count <> 0 or locked_until is not null)`,
      [userId],
      'run',
    );
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

function fromSql(row: UserSqlRow): User {
  return User.restore({
    id: row.id,
    email: row.email,
    fullName: row.full_name,
    passwordHash: row.password_hash,
    role: row.role as Role,
    emailVerified: row.email_verified,
    isActive: row.is_active,
    failedLoginCount: row.failed_login_count,
    lockedUntil: row.locked_until === null ? undefined : new Date(row.locked_until),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  });
}

function toRow(props: Readonly<UserProps>) {
  return { ...props, lockedUntil: props.lockedUntil ?? null };
}

/** Property names are the entity's, so MikroORM maps them to columns; only `undefined` needs care. */
function toRowChanges(changes: Partial<UserProps>) {
  const { lockedUntil, ...rest } = changes;
  return 'lockedUntil' in changes ? { ...rest, lockedUntil: lockedUntil ?? null } : rest;
}
