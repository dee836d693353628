import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { normaliseEmail } from '../domain/email.ts';
import type { IdentityErrorOf } from '../domain/identity.errors.ts';
import { LOGIN_LOCKOUT, type User } from '../domain/user.ts';
import type { IdentityPorts } from './ports.ts';
import { startSession, type ClientInfo, type SessionTokens } from './support/start-session.ts';

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
  | 'users'
  | 'sessions'
  | 'passwordHasher'
  | 'accessTokens'
  | 'secretTokens'
  | 'ids'
  | 'clock'
  | 'unknownLogins'
>;

/**
 * Password login with lockout. Every attempt is charged before its password is checked, so
 * parallel guesses are counted as surely as sequential ones; a proven password clears the count.
 * The charge that reaches the limit still answers 401 for a wrong password (and succeeds for the
 * right one); the lock shows from the next attempt on, as 423 with the time left.
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
    const email = normaliseEmail(input.email);
    const user = await ports.users.findByEmail(email);
    if (!user) {
      // The place is claimed first here too: were hashing full, a known email would answer 503
      // uncounted while an unknown one was counted towards 423, telling the two apart.
      const dummyCheck = ports.passwordHasher.reserve();
      try {
        // Counted and locked like a real account, so a 423 does not reveal which emails exist.
        const admission = await ports.unknownLogins.begin(
          ports.secretTokens.hash(email),
          now,
          LOGIN_LOCKOUT,
        );
        if (admission.locked) {
          return err({ type: 'AccountLocked', retryAfterSeconds: admission.retryAfterSeconds });
        }
        // Same cost as a wrong password, so response time does not reveal which emails exist.
        await dummyCheck.verifyDummy(input.password);
        return err({ type: 'InvalidCredentials' });
      } finally {
        dummyCheck.release();
      }
    }
    // Claimed before the attempt is charged: a login refused for want of hashing capacity
    // must not count towards the lock.
    const check = ports.passwordHasher.reserve();
    try {
      // Refused before the password is checked: a locked account must not serve as a guessing oracle.
      const admission = await ports.users.beginLoginAttempt(user.id, now, LOGIN_LOCKOUT);
      if (admission.locked) {
        return err({ type: 'AccountLocked', retryAfterSeconds: admission.retryAfterSeconds });
      }
      if (!(await check.verify(input.password, user.passwordHash))) {
        return err({ type: 'InvalidCredentials' });
      }
    } finally {
      check.release();
    }
    // A proven password was no guess; cleared for a disabled account too, or its owner's right
    // password would count towards a lock.
    await ports.users.clearLoginFailures(user.id);
    // Only after the password is proven, so guessing does not learn which accounts are disabled.
    if (!user.isActive) return err({ type: 'AccountDisabled' });

    const tokens = await startSession(ports, user, input, now);
    return ok({ user, ...tokens });
  }
}
