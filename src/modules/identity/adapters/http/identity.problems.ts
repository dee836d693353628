import {
  validationProblem,
  type FieldError,
  type ProblemInit,
} from '../../../../shared/http/problem.ts';
import type { IdentityError } from '../../domain/identity.errors.ts';
import { PASSWORD_MAX, PASSWORD_MIN, type WeakPassword } from '../../domain/password-policy.ts';

type Mapping<E> = (error: E, context: ProblemContext) => ProblemInit;
export interface ProblemContext {
  /** The request field a password error names (`password` or `new_password`). */
  passwordField: string;
}

const WEAK_PASSWORD_MESSAGES: Record<WeakPassword['reason'], string> = {
  too_short: `must be at least ${PASSWORD_MIN} characters`,
  too_long: `must be at most ${PASSWORD_MAX} characters`,
  common: 'is too common; choose another',
  equals_email: 'must not be the email address',
};

/** A password the policy refuses, when no other field is wrong: 400 `weak_password`. */
export function weakPasswordProblem(error: FieldError): ProblemInit {
  return {
    status: 400,
    code: 'weak_password',
    title: 'Password does not meet the policy',
    errors: [error],
  };
}

/** The `errors[]` entry of a password the policy refuses. */
export function weakPasswordError(error: WeakPassword, field: string): FieldError {
  return { field, message: WEAK_PASSWORD_MESSAGES[error.reason] };
}

const bearerChallenge = { 'WWW-Authenticate': 'Bearer realm="task-manager"' };

/** Every identity error, mapped once: a new error type without a row here does not compile. */
const table: { [K in IdentityError['type']]: Mapping<Extract<IdentityError, { type: K }>> } = {
  EmailTaken: () => ({ status: 409, code: 'email_taken', title: 'Email already registered' }),
  WeakPassword: (e, ctx) => weakPasswordProblem(weakPasswordError(e, ctx.passwordField)),
  InvalidCredentials: () => ({
    status: 401,
    code: 'invalid_credentials',
    title: 'Invalid email or password',
    headers: bearerChallenge,
  }),
  WrongCurrentPassword: () => ({
    status: 400,
    code: 'invalid_current_password',
    title: 'The current password is wrong',
    errors: [{ field: 'current_password', message: 'is wrong' }],
  }),
  AccountLocked: (e) => ({
    status: 423,
    code: 'account_locked',
    title: 'Account temporarily locked after repeated failed logins',
    headers: { 'Retry-After': String(e.retryAfterSeconds) },
  }),
  AccountDisabled: () => ({ status: 403, code: 'account_disabled', title: 'Account disabled' }),
  InvalidRefreshToken: () => ({
    status: 401,
    code: 'invalid_refresh_token',
    title: 'Refresh token invalid, expired or revoked',
    headers: bearerChallenge,
  }),
  InvalidToken: () => ({
    status: 400,
    code: 'invalid_token',
    title: 'Token unknown, used or expired',
    errors: [{ field: 'token', message: 'is unknown, used or expired' }],
  }),
  AlreadyVerified: () => ({
    status: 409,
    code: 'already_verified',
    title: 'Email already verified',
  }),
  Unauthenticated: () => ({
    status: 401,
    code: 'unauthenticated',
    title: 'Authentication required',
    headers: bearerChallenge,
  }),
  Forbidden: () => ({ status: 403, code: 'forbidden', title: 'Not allowed' }),
  UserNotFound: () => ({ status: 404, code: 'not_found', title: 'User not found' }),
  SessionNotFound: () => ({ status: 404, code: 'not_found', title: 'Session not found' }),
  AccessTokenNotFound: () => ({ status: 404, code: 'not_found', title: 'Access token not found' }),
  TooManyAccessTokens: (e) => ({
    status: 409,
    code: 'token_limit_reached',
    title: 'Too many access tokens',
    detail: `At most ${e.limit} live access tokens per user; revoke one first.`,
  }),
  CannotModifySelf: () => ({
    status: 403,
    code: 'cannot_modify_self',
    title: 'Admins cannot demote or deactivate themselves',
  }),
  RateLimited: (e) => ({
    status: 429,
    code: 'rate_limited',
    title: 'Too many requests',
    headers: { 'Retry-After': String(e.retryAfterSeconds) },
  }),
  ValidationFailed: (e) => validationProblem([{ field: e.field, message: e.message }]),
};

export function identityProblem(
  error: IdentityError,
  context: Partial<ProblemContext> = {},
): ProblemInit {
  const mapping = table[error.type] as Mapping<IdentityError>;
  return mapping(error, { passwordField: 'password', ...context });
}
