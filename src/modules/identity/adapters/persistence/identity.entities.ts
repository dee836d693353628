import { defineEntity, p } from '@mikro-orm/core';

/** Row shapes of the identity tables; the schema itself lives in the migrations. */
export const UserRecord = defineEntity({
  name: 'UserRecord',
  tableName: 'users',
  properties: {
    id: p.uuid().primary(),
    email: p.text(),
    fullName: p.text(),
    passwordHash: p.text(),
    role: p.text(),
    emailVerified: p.boolean(),
    isActive: p.boolean(),
    failedLoginCount: p.integer(),
    lockedUntil: p.datetime().columnType('timestamptz').nullable(),
    createdAt: p.datetime().columnType('timestamptz'),
    updatedAt: p.datetime().columnType('timestamptz'),
  },
});

export const SessionRecord = defineEntity({
  name: 'SessionRecord',
  tableName: 'sessions',
  properties: {
    id: p.uuid().primary(),
    userId: p.uuid(),
    currentRefreshHash: p.text(),
    createdAt: p.datetime().columnType('timestamptz'),
    lastUsedAt: p.datetime().columnType('timestamptz'),
    expiresAt: p.datetime().columnType('timestamptz'),
    revokedAt: p.datetime().columnType('timestamptz').nullable(),
    userAgent: p.text().nullable(),
    ip: p.text().nullable(),
  },
});

export const RefreshTokenRecord = defineEntity({
  name: 'RefreshTokenRecord',
  tableName: 'refresh_tokens',
  properties: {
    tokenHash: p.text().primary(),
    sessionId: p.uuid(),
    createdAt: p.datetime().columnType('timestamptz'),
    rotatedAt: p.datetime().columnType('timestamptz').nullable(),
    replacedByHash: p.text().nullable(),
  },
});

export const OneTimeTokenRecord = defineEntity({
  name: 'OneTimeTokenRecord',
  tableName: 'one_time_tokens',
  properties: {
    id: p.uuid().primary(),
    userId: p.uuid(),
    purpose: p.text(),
    tokenHash: p.text(),
    expiresAt: p.datetime().columnType('timestamptz'),
    usedAt: p.datetime().columnType('timestamptz').nullable(),
    createdAt: p.datetime().columnType('timestamptz'),
  },
});

export const identityEntities = [UserRecord, SessionRecord, RefreshTokenRecord, OneTimeTokenRecord];
