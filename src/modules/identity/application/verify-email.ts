import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { IdentityErrorOf } from '../domain/identity.errors.ts';
import type { User } from '../domain/user.ts';
import type { IdentityPorts } from './ports.ts';

export interface VerifyEmailInput {
  token: string;
}

export type VerifyEmailError = IdentityErrorOf<'InvalidToken'>;

type Ports = Pick<
  IdentityPorts,
  'oneTimeTokens' | 'users' | 'secretTokens' | 'clock' | 'transactions'
>;

/** Uses a verification link: the token works once, within 24 hours. */
export class VerifyEmail {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: VerifyEmailInput): ResultAsync<User, VerifyEmailError> {
    return new ResultAsync(this.verify(input));
  }

  private async verify(input: VerifyEmailInput): Promise<Result<User, VerifyEmailError>> {
    const { ports } = this;
    const now = ports.clock.now();
    const hash = ports.secretTokens.hash(input.token);
    const user = await ports.transactions.run(async () => {
      const userId = await ports.oneTimeTokens.consume('verify_email', hash, now);
      const found = userId === undefined ? undefined : await ports.users.findById(userId);
      if (!found) return undefined;
      found.verifyEmail(now);
      await ports.users.update(found);
      return found;
    });
    return user ? ok(user) : err({ type: 'InvalidToken' });
  }
}
