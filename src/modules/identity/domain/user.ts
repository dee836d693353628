import type { Role } from './role.ts';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;
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

/** A registered account. Guards the lockout rule; everything else is plain state. */
export class User {
  private props: UserProps;

  private constructor(props: UserProps) {
    this.props = props;
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

  /** Counts a failed login; the fifth consecutive failure locks the account for 15 minutes. */
  recordFailedLogin(now: Date): void {
    if (this.props.lockedUntil && this.props.lockedUntil.getTime() <= now.getTime()) {
      this.props.failedLoginCount = 0;
      this.props.lockedUntil = undefined;
    }
    this.props.failedLoginCount += 1;
    if (this.props.failedLoginCount >= MAX_FAILED_LOGINS) {
      this.props.lockedUntil = new Date(now.getTime() + LOCKOUT_MINUTES * 60_000);
    }
    this.touch(now);
  }

  clearFailedLogins(now: Date): void {
    if (this.props.failedLoginCount === 0 && !this.props.lockedUntil) return;
    this.props.failedLoginCount = 0;
    this.props.lockedUntil = undefined;
    this.touch(now);
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

  private touch(now: Date): void {
    this.props.updatedAt = now;
  }
}
