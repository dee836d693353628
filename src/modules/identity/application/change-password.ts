import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { IdentityErrorOf } from '../domain/identity.errors.ts';
import { checkPassword } from '../domain/password-policy.ts';
import type { AuthenticatedPrincipal } from './authenticate.ts';
import type { IdentityPorts } from './ports.ts';
import { forgetRevokedSessions } from './support/revocations.ts';

export interface ChangePasswordInput {
  principal: AuthenticatedPrincipal;
  currentPassword: string;
  newPassword: string;
}

/**
 * A wrong current password is `WrongCurrentPassword` (400 `invalid_current_password`), not 401:
 * the bearer token is valid, and clients treat 401 as "sign in again". It does not count towards
 * the login lockout, which guards the unauthenticated door; the per-user rate limit covers this one.
 */
export type ChangePasswordError = IdentityErrorOf<
  'Unauthenticated' | 'WrongCurrentPassword' | 'WeakPassword'
>;

type Ports = Pick<
  IdentityPorts,
  | 'users'
  | 'sessions'
  | 'sessionStatus'
  | 'passwordHasher'
  | 'commonPasswords'
  | 'clock'
  | 'transactions'
>;

/** Changes the caller's password and signs out every other session; the current one stays. */
export class ChangePassword {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: ChangePasswordInput): ResultAsync<void, ChangePasswordError> {
    return new ResultAsync(this.change(input));
  }

  private async change(input: ChangePasswordInput): Promise<Result<void, ChangePasswordError>> {
    const { ports } = this;
    const { principal } = input;
    const user = await ports.users.findById(principal.userId);
    if (!user) return err({ type: 'Unauthenticated' });
    if (!(await ports.passwordHasher.verify(input.currentPassword, user.passwordHash))) {
      return err({ type: 'WrongCurrentPassword' });
    }
    const policy = checkPassword(input.newPassword, {
      email: user.email,
      commonPasswords: ports.commonPasswords,
    });
    if (policy.isErr()) return err(policy.error);
    const passwordHash = await ports.passwordHasher.hash(input.newPassword);

    const now = ports.clock.now();
    const revoked = await ports.transactions.run(async () => {
      user.changePassword(passwordHash, now);
      await ports.users.update(user);
      return ports.sessions.revokeAllForUser(user.id, now, principal.sessionId);
    });
    await forgetRevokedSessions(ports, revoked);
    return ok(undefined);
  }
}
