import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { IdentityErrorOf } from '../domain/identity.errors.ts';
import { checkPassword } from '../domain/password-policy.ts';
import type { IdentityPorts } from './ports.ts';
import { forgetRevokedSessions } from './support/revocations.ts';

export interface ResetPasswordInput {
  token: string;
  password: string;
}

export type ResetPasswordError = IdentityErrorOf<'InvalidToken' | 'WeakPassword'>;

type Ports = Pick<
  IdentityPorts,
  | 'oneTimeTokens'
  | 'users'
  | 'sessions'
  | 'personalTokens'
  | 'sessionStatus'
  | 'passwordHasher'
  | 'secretTokens'
  | 'commonPasswords'
  | 'clock'
  | 'transactions'
>;

/**
 * Sets a new password from a reset link, signs the account out everywhere, revokes its access
 * tokens and lifts a lockout.
 * The token is only peeked at until the new password has passed the policy (which needs the
 * account's email), so a weak password does not burn the link; it is consumed in the transaction.
 */
export class ResetPassword {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: ResetPasswordInput): ResultAsync<void, ResetPasswordError> {
    return new ResultAsync(this.reset(input));
  }

  private async reset(input: ResetPasswordInput): Promise<Result<void, ResetPasswordError>> {
    const { ports } = this;
    const hash = ports.secretTokens.hash(input.token);
    const userId = await ports.oneTimeTokens.peek('password_reset', hash, ports.clock.now());
    const owner = userId === undefined ? undefined : await ports.users.findById(userId);
    if (!owner) return err({ type: 'InvalidToken' });
    const policy = checkPassword(input.password, {
      email: owner.email,
      commonPasswords: ports.commonPasswords,
    });
    if (policy.isErr()) return err(policy.error);
    const passwordHash = await ports.passwordHasher.hash(input.password);

    const now = ports.clock.now();
    const revoked = await ports.transactions.run(async () => {
      // Consumed for real here: a concurrent reset with the same link may have won meanwhile.
      const consumedFor = await ports.oneTimeTokens.consume('password_reset', hash, now);
      const user = consumedFor === owner.id ? await ports.users.findById(owner.id) : undefined;
      if (!user) return undefined;
      user.changePassword(passwordHash, now);
      await ports.users.update(user);
      await ports.users.clearLoginFailures(user.id);
      await ports.oneTimeTokens.invalidateAll(user.id, 'password_reset', now);
      // Whoever held the old password may have made tokens with it.
      await ports.personalTokens.revokeAllForUser(user.id, now);
      return ports.sessions.revokeAllForUser(user.id, now);
    });
    if (!revoked) return err({ type: 'InvalidToken' });
    await forgetRevokedSessions(ports, revoked);
    return ok(undefined);
  }
}
