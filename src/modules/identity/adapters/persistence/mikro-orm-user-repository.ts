import type { EntityManager } from '@mikro-orm/postgresql';
import type { Selectable } from 'kysely';
import type { LoginAdmission, UserRepository } from '../../application/ports.ts';
import type { Role } from '../../domain/role.ts';
import { User, type LockoutPolicy, type UserProps } from '../../domain/user.ts';
import {
  rowsOf,
  StatementCache,
  type OnTheWireRow,
} from '../../../../shared/infra/typed-statements.ts';
import { identityDb, type IdentityDb } from './identity-db.ts';
import { UserRecord } from './identity.entities.ts';

/** A user as `rowsOf` reads it (timestamps as strings). */
type UserRow = OnTheWireRow<Selectable<IdentityDb['users']>>;

const USER_COLUMNS = [
  'id',
  'email',
  'full_name',
  'password_hash',
  'role',
  'email_verified',
  'is_active',
  'failed_login_count',
  'locked_until',
  'created_at',
  'updated_at',
] as const;

/** Users as rows; every write is a single statement (no unit of work to go stale). */
export class MikroOrmUserRepository implements UserRepository {
  private readonly em: EntityManager;

  /** `em` is the global manager: inside a request or job it resolves to that context's fork. */
  constructor(em: EntityManager) {
    this.em = em;
  }

  async findById(id: string): Promise<User | undefined> {
    // Every authenticated profile read loads its user: compiled once, a named statement outside a
    // transaction (each pool connection plans it once), the transaction's connection inside it.
    const rows = await rowsOf(
      this.em,
      byIdStatements.bind('users-by-id', { id }, (v) =>
        identityDb(this.em).selectFrom('users').select(USER_COLUMNS).where('id', '=', v.id),
      ),
    );
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  async findByEmail(normalisedEmail: string): Promise<User | undefined> {
    const rows = await rowsOf(
      this.em,
      byEmailStatements.bind('users-by-email', { email: normalisedEmail }, (v) =>
        identityDb(this.em).selectFrom('users').select(USER_COLUMNS).where('email', '=', v.email),
      ),
    );
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  async insert(user: User): Promise<boolean> {
    // `do nothing` rather than catching the unique violation: an error would abort an enclosing
    // transaction, and everything the caller did in it after this would fail.
    const props = user.toProps();
    const result = await identityDb(this.em)
      .insertInto('users')
      .values({
        id: props.id,
        email: props.email,
        full_name: props.fullName,
        password_hash: props.passwordHash,
        role: props.role,
        email_verified: props.emailVerified,
        is_active: props.isActive,
        failed_login_count: props.failedLoginCount,
        locked_until: props.lockedUntil ?? null,
        created_at: props.createdAt,
        updated_at: props.updatedAt,
      })
      .onConflict((conflict) => conflict.column('email').doNothing())
      .executeTakeFirst();
    if (result.numInsertedOrUpdatedRows === 0n) return false;
    user.markSaved();
    return true;
  }

  async update(user: User): Promise<void> {
    const changes = user.pendingChanges();
    if (Object.keys(changes).length > 0) {
      // Property names are the entity's, so MikroORM maps them to columns.
      await this.em.nativeUpdate(UserRecord, { id: user.id }, toRowChanges(changes));
    }
    user.markSaved();
  }

  /**
   * Refuses (no row) while a lock runs at `now`; otherwise counts the attempt, from zero when an
   * earlier lock has run out, and locks once the count reaches the limit. One statement, so
   * concurrent attempts queue on the row lock and each sees the count the previous one left.
   */
  async beginLoginAttempt(
    userId: string,
    now: Date,
    policy: LockoutPolicy,
  ): Promise<LoginAdmission> {
    const lockEnd = new Date(now.getTime() + policy.lockMinutes * 60_000);
    for (;;) {
      const charged = await identityDb(this.em)
        .updateTable('users')
        .set((eb) => {
          const next = eb
            .case()
            .when('locked_until', 'is', null)
            .then(eb('failed_login_count', '+', 1))
            .else(1)
            .end();
          return {
            failed_login_count: next,
            locked_until: eb
              .case()
              .when(next, '>=', policy.maxFailures)
              .then(eb.cast<Date>(eb.val(lockEnd), 'timestamptz'))
              .end(),
          };
        })
        .where('id', '=', userId)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
        .returning('id')
        .execute();
      if (charged.length > 0) return { locked: false };
      const user = await this.findById(userId);
      if (!user) throw new Error(`login attempt on unknown user ${userId}`);
      const retryAfterSeconds = user.lockRemainingSeconds(now);
      if (retryAfterSeconds > 0) return { locked: true, retryAfterSeconds };
      // The lock was lifted (a password reset) between the two statements: charge again.
    }
  }

  async clearLoginFailures(userId: string): Promise<void> {
    await identityDb(this.em)
      .updateTable('users')
      .set({ failed_login_count: 0, locked_until: null })
      .where('id', '=', userId)
      .where((eb) => eb.or([eb('failed_login_count', '<>', 0), eb('locked_until', 'is not', null)]))
      .execute();
  }

  async list(query: {
    page: number;
    limit: number;
    q?: string;
  }): Promise<{ items: User[]; total: number }> {
    const pattern = query.q ? `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
    const filtered = identityDb(this.em)
      .selectFrom('users')
      .$if(pattern !== undefined, (qb) =>
        qb.where((eb) =>
          eb.or([eb('email', 'ilike', pattern!), eb('full_name', 'ilike', pattern!)]),
        ),
      );
    const [rows, [count]] = await Promise.all([
      rowsOf(
        this.em,
        filtered
          .select(USER_COLUMNS)
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .limit(query.limit)
          .offset((query.page - 1) * query.limit),
      ),
      rowsOf(
        this.em,
        filtered.select((eb) => eb.fn.countAll<string>().as('total')),
      ),
    ]);
    return { items: rows.map(toUser), total: Number(count?.total ?? 0) };
  }
}

const byIdStatements = new StatementCache<{ id: string }>();
const byEmailStatements = new StatementCache<{ email: string }>();

function toUser(row: UserRow): User {
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

/** Property names are the entity's, so MikroORM maps them to columns; only `undefined` needs care. */
function toRowChanges(changes: Partial<UserProps>) {
  const { lockedUntil, ...rest } = changes;
  return 'lockedUntil' in changes ? { ...rest, lockedUntil: lockedUntil ?? null } : rest;
}
