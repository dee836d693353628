/** Expected identity outcomes, as values. Each `type` maps to one problem in the HTTP adapter. */
export type IdentityError =
  | { type: 'EmailTaken' }
  | { type: 'WeakPassword'; reason: 'too_short' | 'too_long' | 'common' | 'equals_email' }
  | { type: 'InvalidCredentials' }
  /** Change-password with a wrong current password: 400, since the bearer token itself is fine. */
  | { type: 'WrongCurrentPassword' }
  | { type: 'AccountLocked'; retryAfterSeconds: number }
  | { type: 'AccountDisabled' }
  | { type: 'InvalidRefreshToken' }
  | { type: 'InvalidToken' }
  | { type: 'AlreadyVerified' }
  | { type: 'Unauthenticated' }
  | { type: 'Forbidden'; reason: string }
  | { type: 'UserNotFound' }
  | { type: 'SessionNotFound' }
  | { type: 'AccessTokenNotFound' }
  | { type: 'TooManyAccessTokens'; limit: number }
  | { type: 'CannotModifySelf' }
  | { type: 'RateLimited'; retryAfterSeconds: number }
  /** A domain rule on an input field, for callers that skipped (or bypass) the HTTP schema. */
  | {
      type: 'ValidationFailed';
      field: 'email' | 'full_name' | 'name' | 'scopes' | 'expires_at';
      message: string;
    };

export type IdentityErrorOf<T extends IdentityError['type']> = Extract<IdentityError, { type: T }>;
