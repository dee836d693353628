import { defineEntity, p, type CheckConstraint, type EntitySchema } from '@mikro-orm/core';
import type { InferKyselyDB } from '@mikro-orm/sql';

/**
 * The identity tables as the migrations create them: columns, defaults, foreign keys, indexes and
 * checks. `tests/integration/shared/entity-schema.test.ts` holds these to the migrated schema.
 */
export const UserRecord = defineEntity({
  name: 'UserRecord',
  tableName: 'users',
  properties: {
    id: p.uuid().primary(),
    email: p.text(),
    fullName: p.text(),
    passwordHash: p.text(),
    role: p.text().default('user'),
    emailVerified: p.boolean().default(false),
    isActive: p.boolean().default(true),
    failedLoginCount: p.integer().default(0),
    lockedUntil: p.datetime().columnType('timestamptz').nullable(),
    createdAt: p.datetime().columnType('timestamptz'),
    updatedAt: p.datetime().columnType('timestamptz'),
  },
  uniques: [{ name: 'users_email_key', properties: 'email' }],
  indexes: [
    // Admin search (`q`) matches substrings of email and name.
    {
      name: 'users_email_trgm',
      expression: 'create index users_email_trgm on users using gin (email gin_trgm_ops)',
    },
    {
      name: 'users_full_name_trgm',
      expression: 'create index users_full_name_trgm on users using gin (full_name gin_trgm_ops)',
    },
    {
      name: 'users_created_at_id',
      columns: [
        { name: 'created_at', sort: 'desc' },
        { name: 'id', sort: 'desc' },
      ],
    },
  ],
});
withChecks(UserRecord, [
  { name: 'users_role_check', property: 'role', expression: "role in ('user', 'admin')" },
  {
    name: 'users_failed_login_count_check',
    property: 'failedLoginCount',
    expression: 'failed_login_count >= 0',
  },
  { name: 'users_email_normalised', expression: 'email = lower(btrim(email))' },
]);

export const SessionRecord = defineEntity({
  name: 'SessionRecord',
  tableName: 'sessions',
  properties: {
    id: p.uuid().primary(),
    user: p
      .manyToOne(UserRecord)
      .deleteRule('cascade')
      .foreignKeyName('sessions_user_id_fkey')
      .mapToPk(),
    currentRefreshHash: p.text(),
    createdAt: p.datetime().columnType('timestamptz'),
    lastUsedAt: p.datetime().columnType('timestamptz'),
    expiresAt: p.datetime().columnType('timestamptz'),
    revokedAt: p.datetime().columnType('timestamptz').nullable(),
    userAgent: p.text().nullable(),
    ip: p.text().nullable(),
  },
  indexes: [
    { name: 'sessions_live_by_user', properties: 'user', where: 'revoked_at is null' },
    // Retention: sessions long expired or revoked.
    { name: 'sessions_expires', properties: 'expiresAt' },
    { name: 'sessions_revoked', properties: 'revokedAt', where: 'revoked_at is not null' },
  ],
});

export const RefreshTokenRecord = defineEntity({
  name: 'RefreshTokenRecord',
  tableName: 'refresh_tokens',
  properties: {
    tokenHash: p.text().primary(),
    session: p
      .manyToOne(SessionRecord)
      .deleteRule('cascade')
      .foreignKeyName('refresh_tokens_session_id_fkey')
      .mapToPk(),
    createdAt: p.datetime().columnType('timestamptz'),
    rotatedAt: p.datetime().columnType('timestamptz').nullable(),
    replacedByHash: p.text().nullable(),
  },
  indexes: [
    { name: 'refresh_tokens_session', properties: 'session' },
    { name: 'refresh_tokens_rotated', properties: 'rotatedAt', where: 'rotated_at is not null' },
  ],
});

export const OneTimeTokenRecord = defineEntity({
  name: 'OneTimeTokenRecord',
  tableName: 'one_time_tokens',
  properties: {
    id: p.uuid().primary(),
    user: p
      .manyToOne(UserRecord)
      .deleteRule('cascade')
      .foreignKeyName('one_time_tokens_user_id_fkey')
      .mapToPk(),
    purpose: p.text(),
    tokenHash: p.text(),
    expiresAt: p.datetime().columnType('timestamptz'),
    usedAt: p.datetime().columnType('timestamptz').nullable(),
    createdAt: p.datetime().columnType('timestamptz'),
  },
  uniques: [{ name: 'one_time_tokens_hash_key', properties: 'tokenHash' }],
  indexes: [
    {
      name: 'one_time_tokens_unused_by_user',
      properties: ['user', 'purpose'],
      where: 'used_at is null',
    },
    { name: 'one_time_tokens_expires', properties: 'expiresAt' },
    { name: 'one_time_tokens_used', properties: 'usedAt', where: 'used_at is not null' },
  ],
});
withChecks(OneTimeTokenRecord, [
  {
    name: 'one_time_tokens_purpose_check',
    property: 'purpose',
    expression: "purpose in ('verify_email', 'password_reset')",
  },
]);

export const AccessTokenRecord = defineEntity({
  name: 'AccessTokenRecord',
  tableName: 'access_tokens',
  properties: {
    id: p.uuid().primary(),
    user: p
      .manyToOne(UserRecord)
      .deleteRule('cascade')
      .foreignKeyName('access_tokens_user_id_fkey')
      .mapToPk(),
    name: p.text(),
    scopes: p.array().columnType('text[]'),
    tokenHash: p.text(),
    prefix: p.text(),
    createdAt: p.datetime().columnType('timestamptz'),
    lastUsedAt: p.datetime().columnType('timestamptz').nullable(),
    expiresAt: p.datetime().columnType('timestamptz'),
    revokedAt: p.datetime().columnType('timestamptz').nullable(),
  },
  uniques: [{ name: 'access_tokens_hash_key', properties: 'tokenHash' }],
  indexes: [
    {
      name: 'access_tokens_unrevoked_by_user',
      properties: ['user', 'createdAt'],
      where: 'revoked_at is null',
    },
  ],
});

export const identityEntities = [
  UserRecord,
  SessionRecord,
  RefreshTokenRecord,
  OneTimeTokenRecord,
  AccessTokenRecord,
];

/** The identity tables as typed Kysely sees them (`em.getKysely<IdentityTables>()`). */
export type IdentityTables = InferKyselyDB<(typeof identityEntities)[number]>;

/** Table checks, which `defineEntity` has no option for: set on the schema's metadata. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any entity's schema
function withChecks(entity: EntitySchema<any, any>, checks: CheckConstraint[]): void {
  entity.meta.checks = checks;
}
