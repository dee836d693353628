import { ResultAsync } from 'neverthrow';
import { normaliseEmail } from '../domain/email.ts';
import { sendBestEffort } from './support/deliveries.ts';
import { issueOneTimeToken } from './support/one-time-tokens.ts';
import type { IdentityPorts } from './ports.ts';

/** Per address, so nobody can use the service to flood someone's inbox with reset mails. */
export const PASSWORD_RESET_MAILS_LIMIT = 3;
const PASSWORD_RESET_MAILS_WINDOW_SECONDS = 3600;

export interface RequestPasswordResetInput {
  email: string;
}

type Ports = Pick<
  IdentityPorts,
  | 'users'
  | 'oneTimeTokens'
  | 'secretTokens'
  | 'ids'
  | 'mailer'
  | 'mails'
  | 'rateLimiter'
  | 'failures'
  | 'clock'
  | 'transactions'
>;

/**
 * Mails a reset link if the address belongs to an active account. The caller learns nothing:
 * unknown addresses, disabled accounts, the per-address limit and mail failures all look like success.
 */
export class RequestPasswordReset {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: RequestPasswordResetInput): ResultAsync<void, never> {
    return ResultAsync.fromSafePromise(this.request(input));
  }

  private async request(input: RequestPasswordResetInput): Promise<void> {
    const { ports } = this;
    const email = normaliseEmail(input.email);
    // Counted for every address, known or not, and keyed by a hash so Redis holds no addresses.
    const decision = await ports.rateLimiter.consume(
      `identity:password-reset:${ports.secretTokens.hash(email)}`,
      PASSWORD_RESET_MAILS_LIMIT,
      PASSWORD_RESET_MAILS_WINDOW_SECONDS,
    );
    if (!decision.allowed) return;
    const user = await ports.users.findByEmail(email);
    if (!user?.isActive) return;

    const now = ports.clock.now();
    const token = await ports.transactions.run(async () => {
      await ports.oneTimeTokens.invalidateAll(user.id, 'password_reset', now);
      return issueOneTimeToken(ports, user.id, 'password_reset', now);
    });
    const message = ports.mails.passwordReset(user.email, user.fullName, token);
    await sendBestEffort(ports, message, { operation: 'request_password_reset', userId: user.id });
  }
}
