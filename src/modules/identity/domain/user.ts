import type { Role } from './role.ts';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;

/** How many consecutive failed logins lock an account, and for how many minutes. */
export interface LockoutPolicy {
  maxFailures: number;
  lockMinutes: number;
}

export const LOGIN_LOCKOUT: LockoutPolicy = {
  maxFailures: MAX_FAILED_LOGINS,
  lockMinutes: LOCKOUT_MINUTES,
};

export const FULL_NAME_MIN = 1;
export const FULL_NAME_MAX = 100;

export interface UserProps {
  id: string;
  email: string;
  fullName: string;
  passwordHash: string;
  role: Role;
  emailVerified: boolean;
  isActive: boolean;
  failedLoginCount: number;
  lockedUntil: Date | undefined;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A registered account. Remembers the state it was loaded (or last saved) with, so a repository
 * writes only what changed: a copy that went stale during a slow step (hashing a password) must
 * not put back columns another writer has changed meanwhile. The failed-login counter is not
 * changed here at all: the repository counts attempts atomically (`beginLoginAttempt`).
 */
export class User {
  private readonly props: UserProps;
  private saved: Readonly<UserProps>;

  private constructor(props: UserProps) {
    this.props = props;
    this.saved = { ...props };
  }

  static register(input: {
    id: string;
    email: string;
    fullName: string;
    passwordHash: string;
    now: Date;
  }): User {
    return new User({
      id: input.id,
      email: input.email,
      fullName: input.fullName,
      passwordHash: input.passwordHash,
      role: 'user',
      emailVerified: false,
      isActive: true,
      failedLoginCount: 0,
      lockedUntil: undefined,
      createdAt: input.now,
      updatedAt: input.now,
    });
  }

  static restore(props: UserProps): User {
    return new User({ ...props });
  }

  get id() {
    return this.props.id;
  }
  get email() {
    return this.props.email;
  }
  get fullName() {
    return this.props.fullName;
  }
  get passwordHash() {
    return this.props.passwordHash;
  }
  get role() {
    return this.props.role;
  }
  get emailVerified() {
    return this.props.emailVerified;
  }
  get isActive() {
    return this.props.isActive;
  }
  get failedLoginCount() {
    return this.props.failedLoginCount;
  }
  get lockedUntil() {
    return this.props.lockedUntil;
  }
  get createdAt() {
    return this.props.createdAt;
  }
  get updatedAt() {
    return this.props.updatedAt;
  }

  /** Seconds the account stays locked at `now`, or 0 when it is not locked. */
  lockRemainingSeconds(now: Date): number {
    const until = this.props.lockedUntil;
    if (!until || until.getTime() <= now.getTime()) return 0;
    return Math.ceil((until.getTime() - now.getTime()) / 1000);
  }

  changePassword(passwordHash: string, now: Date): void {
    this.props.passwordHash = passwordHash;
    this.touch(now);
  }

  verifyEmail(now: Date): void {
    this.props.emailVerified = true;
    this.touch(now);
  }

  rename(fullName: string, now: Date): void {
    this.props.fullName = fullName;
    this.touch(now);
  }

  setRole(role: Role, now: Date): void {
    this.props.role = role;
    this.touch(now);
  }

  setActive(isActive: boolean, now: Date): void {
    this.props.isActive = isActive;
    this.touch(now);
  }

  toProps(): Readonly<UserProps> {
    return { ...this.props };
  }

  /** The properties that differ from the state this user was loaded or last saved with. */
  pendingChanges(): Partial<UserProps> {
    const changes: Partial<UserProps> = {};
    for (const key of Object.keys(this.props) as (keyof UserProps)[]) {
      if (!sameValue(this.props[key], this.saved[key])) copyProp(changes, this.props, key);
    }
    return changes;
  }

  /** Called by the repository once the pending changes are stored. */
  markSaved(): void {
    this.saved = { ...this.props };
  }

  private touch(now: Date): void {
    this.props.updatedAt = now;
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b;
}

function copyProp<K extends keyof UserProps>(to: Partial<UserProps>, from: UserProps, key: K) {
  to[key] = from[key];
}
