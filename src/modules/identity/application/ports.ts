import type { Clock } from '../../../shared/domain/clock.ts';
import type { FailureReporter } from '../../../shared/domain/failure-reporter.ts';
import type { IdGenerator } from '../../../shared/domain/id-generator.ts';
import type { TransactionRunner } from '../../../shared/domain/transaction-runner.ts';
import type { RateLimiter } from '../../../shared/domain/rate-limiter.ts';
import type { AccessToken } from '../domain/access-token.ts';
import type { CommonPasswordList } from '../domain/password-policy.ts';
import type { Role } from '../domain/role.ts';
import type { RefreshTokenStanding, Session } from '../domain/session.ts';
import type { LockoutPolicy, User } from '../domain/user.ts';

/** Persistence of users. Emails are stored normalised (trimmed, lower-case) and unique. */
export interface UserRepository {
  findById(id: string): Promise<User | undefined>;
  findByEmail(normalisedEmail: string): Promise<User | undefined>;
  /**
   * Inserts a new user; resolves `false` when the email is already taken. A taken email leaves an
   * enclosing transaction usable, so the caller may go on (or simply return) inside it.
   */
  insert(user: User): Promise<boolean>;
  /** Stores only the user's `pendingChanges()` (other columns keep what others wrote), then `markSaved()`. */
  update(user: User): Promise<void>;
  /**
   * Charges a login attempt before its password is checked, in one atomic step, so parallel
   * guesses cannot all slip past the lock. Refuses when the account is locked at `now`. Otherwise
   * counts the attempt (starting again from zero when an earlier lock has run out) and, when the
   * count reaches `policy.maxFailures`, locks the account until `now + policy.lockMinutes`. This is
   * bookkeeping, not an edit of the account: `updatedAt` stays as it is.
   */
  beginLoginAttempt(userId: string, now: Date, policy: LockoutPolicy): Promise<LoginAdmission>;
  /** Forgets every counted attempt and lifts any lock: the password has been proven. */
  clearLoginFailures(userId: string): Promise<void>;
  list(query: {
    page: number;
    limit: number;
    q?: string;
  }): Promise<{ items: User[]; total: number }>;
}

/** One user by id, as another module's adapter may read it (wired by the composition root). */
export type UserLookup = Pick<UserRepository, 'findById'>;

/** Users by id or by their (normalised) address, as another module's adapter may read them. */
export type UserAddressBook = Pick<UserRepository, 'findById' | 'findByEmail'>;

export type LoginAdmission = { locked: false } | { locked: true; retryAfterSeconds: number };

/**
 * The lockout bookkeeping of addresses that belong to no account, keyed by a hash of the
 * address, with the rules of `UserRepository.beginLoginAttempt`: an unknown address locks after
 * as many failures as a real one, so the 423 reveals nothing. Every attempt on one fails, so
 * there is nothing to clear. An address's count may be forgotten a day after its last attempt.
 */
export interface UnknownLoginAttempts {
  begin(addressHash: string, now: Date, policy: LockoutPolicy): Promise<LoginAdmission>;
}

/** Sessions and the hashes of every refresh token a session has been issued. */
export interface SessionRepository {
  insert(session: Session, firstRefreshTokenHash: string): Promise<void>;
  findById(id: string): Promise<Session | undefined>;
  /**
   * The session a refresh-token hash was issued to, and where that token stands: the session's
   * current token, the one it directly replaced (`previous`, with the time of that rotation), or older.
   */
  findByRefreshTokenHash(
    hash: string,
  ): Promise<{ session: Session; standing: RefreshTokenStanding } | undefined>;
  /**
   * Atomically replaces the current refresh token: succeeds only if `expectedCurrentHash` is still
   * current (a concurrent refresh that won the race makes this return `false`).
   */
  rotate(
    sessionId: string,
    expectedCurrentHash: string,
    nextHash: string,
    now: Date,
  ): Promise<boolean>;
  touch(sessionId: string, now: Date): Promise<void>;
  revoke(sessionId: string, now: Date): Promise<void>;
  /** Revokes every live session of the user except `exceptSessionId`; returns the revoked ids. */
  revokeAllForUser(userId: string, now: Date, exceptSessionId?: string): Promise<string[]>;
  listActiveForUser(userId: string, now: Date): Promise<Session[]>;
  /**
   * Of `sessionIds`, those neither revoked nor expired whose user is active, mapped to their user:
   * one read for many sessions.
   */
  liveAmong(sessionIds: readonly string[], now: Date): Promise<Map<string, string>>;
}

/** Personal access tokens, stored with the hash of their secret (never the secret). */
export interface AccessTokenRepository {
  /**
   * Stores the token unless its user already holds `limit` live ones (unrevoked, unexpired at
   * the token's `createdAt`); resolves whether it was stored. Concurrent inserts for one user
   * cannot together pass the limit.
   */
  insertWithinLimit(token: AccessToken, secretHash: string, limit: number): Promise<boolean>;
  /** The user's unrevoked tokens (expired ones included), newest first. */
  listForUser(userId: string): Promise<AccessToken[]>;
  /**
   * The token a secret hash belongs to, revoked or expired too, with whether its user is active
   * and the user's role: what authenticating a request needs, in one read.
   */
  findBySecretHash(
    secretHash: string,
  ): Promise<{ token: AccessToken; userActive: boolean; role: Role } | undefined>;
  /** Revokes one of the user's unrevoked tokens; resolves `false` for any other id. */
  revoke(userId: string, tokenId: string, now: Date): Promise<boolean>;
  /** Revokes every unrevoked token of the user; resolves how many. */
  revokeAllForUser(userId: string, now: Date): Promise<number>;
  /**
   * Records a use at `now` unless one at most `precisionSeconds` older is stored already: a
   * conditional write, so racing requests write it once.
   */
  recordUse(tokenId: string, now: Date, precisionSeconds: number): Promise<void>;
}

export type OneTimeTokenPurpose = 'verify_email' | 'password_reset';

/** Single-use tokens (email verification, password reset), stored only as hashes. */
export interface OneTimeTokenRepository {
  insert(token: {
    id: string;
    userId: string;
    purpose: OneTimeTokenPurpose;
    hash: string;
    expiresAt: Date;
    createdAt: Date;
  }): Promise<void>;
  /**
   * The user id `consume` would return right now, without using the token: lets a use case
   * reject other input (a weak new password) without burning the caller's link.
   */
  peek(purpose: OneTimeTokenPurpose, hash: string, now: Date): Promise<string | undefined>;
  /** Marks the token used if it exists, has this purpose, is unused and unexpired; returns its user id. */
  consume(purpose: OneTimeTokenPurpose, hash: string, now: Date): Promise<string | undefined>;
  /** Invalidates every unused token of the user for this purpose. */
  invalidateAll(userId: string, purpose: OneTimeTokenPurpose, now: Date): Promise<void>;
}

/**
 * Password hashing is bounded: when too many hashes are queued, `hash`, `verify`, `verifyDummy`
 * and `reserve` throw (an infrastructure failure, answered 503 with `Retry-After`). A hashing
 * failure (the hashing itself broke, e.g. its thread died) also rejects; `verify` resolves
 * `false` only for a password that does not match (or a malformed stored hash).
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /** Spends the same time as a `verify` against a real hash (for unknown users). */
  verifyDummy(password: string): Promise<void>;
  /**
   * Claims a place for one `verify` now, so that work done before it (charging a login attempt)
   * is never followed by a refusal. Release it if the verify does not happen.
   */
  reserve(): PasswordCheck;
}

export interface PasswordCheck {
  verify(password: string, hash: string): Promise<boolean>;
  /** `PasswordHasher.verifyDummy` in the claimed place. */
  verifyDummy(password: string): Promise<void>;
  release(): void;
}

export interface AccessTokenClaims {
  userId: string;
  sessionId: string;
  role: Role;
}

export interface AccessTokenService {
  issue(claims: AccessTokenClaims, now: Date): Promise<{ token: string; expiresIn: number }>;
  /** Resolves the claims of a valid access token, or `undefined` for anything else. */
  verify(token: string, now: Date): Promise<AccessTokenClaims | undefined>;
}

/** Opaque high-entropy tokens and their storage hashes. */
export interface SecretTokens {
  /** ≥ 256 bits of randomness, URL-safe. */
  generate(): string;
  /** A deterministic hash for lookup (e.g. SHA-256 hex). */
  hash(token: string): string;
}

/** Whether a session is still live, answered cheaply on every authenticated request. */
export interface SessionStatusCache {
  isActive(sessionId: string, load: () => Promise<boolean>): Promise<boolean>;
  markRevoked(sessionIds: string[]): Promise<void>;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/** Mails the identity module sends; links carry `<APP_BASE_URL>/...?token=<token>`. */
export interface IdentityMails {
  verification(to: string, fullName: string, token: string): MailMessage;
  passwordReset(to: string, fullName: string, token: string): MailMessage;
}

/** A user's attachment storage, as the module that stores attachments counts it. */
export interface StorageUsage {
  of(userId: string): Promise<{ usedBytes: number; quotaBytes: number }>;
}

/** What a new account gets besides its user row, in the registration's transaction. */
export interface AccountSetup {
  /** E.g. the user's Inbox (the tasks module's personal project). */
  prepare(userId: string): Promise<void>;
}

/** Every port of the identity module; each use case takes the subset it names (`Pick`). */
export interface IdentityPorts {
  users: UserRepository;
  sessions: SessionRepository;
  personalTokens: AccessTokenRepository;
  oneTimeTokens: OneTimeTokenRepository;
  passwordHasher: PasswordHasher;
  accessTokens: AccessTokenService;
  secretTokens: SecretTokens;
  sessionStatus: SessionStatusCache;
  mailer: Mailer;
  mails: IdentityMails;
  ids: IdGenerator;
  clock: Clock;
  transactions: TransactionRunner;
  rateLimiter: RateLimiter;
  unknownLogins: UnknownLoginAttempts;
  commonPasswords: CommonPasswordList;
  failures: FailureReporter;
  storageUsage: StorageUsage;
  accountSetup: AccountSetup;
}
