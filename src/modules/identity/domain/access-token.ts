import { err, ok, type Result } from 'neverthrow';
import { NO_CONTROL_CHARACTERS } from '../../../shared/domain/text.ts';
import type { IdentityErrorOf } from './identity.errors.ts';

/** What a personal access token may be granted; `src/token-access.ts` maps operations to them. */
export const ACCESS_TOKEN_SCOPES = [
  'tasks:read',
  'tasks:write',
  'comments:write',
  'attachments:write',
  'projects:read',
  'projects:write',
  'notifications:read',
  'webhooks:manage',
] as const;
export type AccessTokenScope = (typeof ACCESS_TOKEN_SCOPES)[number];

/** Every secret starts with it, so secret scanners can recognise a leaked token. */
export const ACCESS_TOKEN_PREFIX = 'tmk_';
/** How much of the secret is stored and shown in clear, to tell a user's tokens apart. */
export const ACCESS_TOKEN_SHOWN_CHARS = 12;
export const ACCESS_TOKEN_NAME_MIN = 1;
export const ACCESS_TOKEN_NAME_MAX = 100;
export const ACCESS_TOKEN_DEFAULT_DAYS = 90;
export const ACCESS_TOKEN_MAX_DAYS = 365;
/** Live (unrevoked, unexpired) tokens one user may hold at once. */
export const ACCESS_TOKENS_PER_USER = 50;
/** `last_used_at` is written at most this often per token: a write per request would cost more than it tells. */
export const LAST_USED_PRECISION_SECONDS = 60;

const DAY_MS = 86_400_000;

export interface AccessToken {
  id: string;
  userId: string;
  name: string;
  scopes: readonly AccessTokenScope[];
  /** The first characters of the secret (`tmk_…`), shown in lists. */
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | undefined;
  expiresAt: Date;
  revokedAt: Date | undefined;
}

export type AccessTokenRuleError = IdentityErrorOf<'ValidationFailed'>;

export interface NewAccessTokenInput {
  id: string;
  userId: string;
  name: string;
  scopes: readonly string[];
  secret: string;
  now: Date;
  /** Defaults to `ACCESS_TOKEN_DEFAULT_DAYS` from `now`. */
  expiresAt?: Date | undefined;
}

/**
 * A new token: a trimmed one-line name, at least one known scope (each once), and an expiry in
 * the future and at most `ACCESS_TOKEN_MAX_DAYS` away.
 */
export function newAccessToken(
  input: NewAccessTokenInput,
): Result<AccessToken, AccessTokenRuleError> {
  const name = input.name.trim();
  const length = [...name].length;
  if (length < ACCESS_TOKEN_NAME_MIN || length > ACCESS_TOKEN_NAME_MAX) {
    return invalid('name', `must be ${ACCESS_TOKEN_NAME_MIN}–${ACCESS_TOKEN_NAME_MAX} characters`);
  }
  if (!NO_CONTROL_CHARACTERS.test(name)) {
    return invalid('name', 'must not contain control characters');
  }
  if (input.scopes.length === 0) return invalid('scopes', 'must name at least one scope');
  const unknown = input.scopes.find((scope) => !isAccessTokenScope(scope));
  if (unknown !== undefined) return invalid('scopes', `has an unknown scope: ${unknown}`);
  const expiresAt =
    input.expiresAt ?? new Date(input.now.getTime() + ACCESS_TOKEN_DEFAULT_DAYS * DAY_MS);
  const expiryError = accessTokenExpiryError(expiresAt, input.now);
  if (expiryError !== undefined) return invalid('expires_at', expiryError);
  return ok({
    id: input.id,
    userId: input.userId,
    name,
    scopes: [...new Set(input.scopes as readonly AccessTokenScope[])],
    prefix: input.secret.slice(0, ACCESS_TOKEN_SHOWN_CHARS),
    createdAt: input.now,
    lastUsedAt: undefined,
    expiresAt,
    revokedAt: undefined,
  });
}

/** Why an expiry is refused at `now` (in the past, or more than a year away), if it is. */
export function accessTokenExpiryError(expiresAt: Date, now: Date): string | undefined {
  if (expiresAt.getTime() <= now.getTime()) return 'must be in the future';
  if (expiresAt.getTime() > now.getTime() + ACCESS_TOKEN_MAX_DAYS * DAY_MS) {
    return `must be at most ${ACCESS_TOKEN_MAX_DAYS} days from now`;
  }
  return undefined;
}

export function isAccessTokenScope(value: string): value is AccessTokenScope {
  return (ACCESS_TOKEN_SCOPES as readonly string[]).includes(value);
}

/** Whether a token may act now: not revoked and not expired. */
export function isAccessTokenUsable(token: AccessToken, now: Date): boolean {
  return token.revokedAt === undefined && token.expiresAt.getTime() > now.getTime();
}

/** Whether a use at `now` should be written down, or the one stored is recent enough. */
export function lastUseIsStale(token: AccessToken, now: Date): boolean {
  return (
    token.lastUsedAt === undefined ||
    now.getTime() - token.lastUsedAt.getTime() >= LAST_USED_PRECISION_SECONDS * 1000
  );
}

/** Whether a bearer credential is shaped like a personal access token (and not a JWT). */
export function looksLikeAccessToken(credential: string): boolean {
  return credential.startsWith(ACCESS_TOKEN_PREFIX);
}

function invalid(field: 'name' | 'scopes' | 'expires_at', message: string) {
  return err({ type: 'ValidationFailed', field, message } as const);
}
