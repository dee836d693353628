import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { normaliseEmail } from '../domain/email.ts';
import type { IdentityErrorOf } from '../domain/identity.errors.ts';
import type { User } from '../domain/user.ts';
import type { IdentityPorts } from './ports.ts';
import { startSession, type ClientInfo, type SessionTokens } from './start-session.ts';

export interface LogInInput extends ClientInfo {
  email: string;
  password: string;
}

export interface LogInOutput extends SessionTokens {
  user: User;
}

export type LogInError = IdentityErrorOf<
  'InvalidCredentials' | 'AccountLocked' | 'AccountDisabled'
>;

type Ports = Pick<
  IdentityPorts,
  'users' | 'sessions' | 'passwordHasher' | 'accessTokens' | 'secretTokens' | 'ids' | 'clock'
>;

/**
 * Password login with lockout. The failure that reaches the limit still answers 401 (it is just
 * another wrong password); the lock shows from the next attempt on, as 423 with the time left.
 */
export class LogIn {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: LogInInput): ResultAsync<LogInOutput, LogInError> {
    return new ResultAsync(this.logIn(input));
  }

  private async logIn(input: LogInInput): Promise<Result<LogInOutput, LogInError>> {
    const { ports } = this;
    const now = ports.clock.now();
    const user = await ports.users.findByEmail(normaliseEmail(input.email));
    if (!user) {
      // Same cost as a wrong password, so response time does not reveal which emails exist.
      await ports.passwordHasher.verifyDummy(input.password);
      return err({ type: 'InvalidCredentials' });
    }
    // Checked before the password: a locked account must not serve as a guessing oracle.
    const lockedFor = user.lockRemainingSeconds(now);
    if (lockedFor > 0) return err({ type: 'AccountLocked', retryAfterSeconds: lockedFor });

    if (!(await ports.passwordHasher.verify(input.password, user.passwordHash))) {
      user.recordFailedLogin(now);
      await ports.users.update(user);
      return err({ type: 'InvalidCredentials' });
    }
    // Only after the password is proven, so guessing does not learn which accounts are disabled.
    if (!user.isActive) return err({ type: 'AccountDisabled' });

    await this.clearFailures(user, now);
    const tokens = await startSession(ports, user, input, now);
    return ok({ user, ...tokens });
  }

  private async clearFailures(user: User, now: Date): Promise<void> {
    if (user.failedLoginCount === 0 && !user.lockedUntil) return;
    user.clearFailedLogins(now);
    await this.ports.users.update(user);
  }
}
