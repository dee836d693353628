import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { IdentityErrorOf } from '../domain/identity.errors.ts';
import type { AuthenticatedPrincipal } from './authenticate.ts';
import { issueOneTimeToken } from './support/one-time-tokens.ts';
import type { IdentityPorts } from './ports.ts';

/** Per user: enough for a lost or slow mail, too few to use the service to flood an inbox. */
export const RESEND_VERIFICATION_LIMIT = 3;
export const RESEND_VERIFICATION_WINDOW_SECONDS = 3600;

export interface ResendVerificationInput {
  principal: AuthenticatedPrincipal;
}

export type ResendVerificationError = IdentityErrorOf<
  'Unauthenticated' | 'AlreadyVerified' | 'RateLimited'
>;

type Ports = Pick<
  IdentityPorts,
  | 'users'
  | 'oneTimeTokens'
  | 'secretTokens'
  | 'ids'
  | 'mailer'
  | 'mails'
  | 'rateLimiter'
  | 'clock'
  | 'transactions'
>;

/**
 * Sends a fresh verification link and kills the older ones. Unlike registration, a mail failure
 * fails the request: sending is all the caller asked for, and a 5xx tells them to try again.
 */
export class ResendVerification {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: ResendVerificationInput): ResultAsync<void, ResendVerificationError> {
    return new ResultAsync(this.resend(input));
  }

  private async resend({
    principal,
  }: ResendVerificationInput): Promise<Result<void, ResendVerificationError>> {
    const { ports } = this;
    const user = await ports.users.findById(principal.userId);
    if (!user) return err({ type: 'Unauthenticated' });
    if (user.emailVerified) return err({ type: 'AlreadyVerified' });
    const decision = await ports.rateLimiter.consume(
      `identity:resend-verification:${user.id}`,
      RESEND_VERIFICATION_LIMIT,
      RESEND_VERIFICATION_WINDOW_SECONDS,
    );
    if (!decision.allowed) {
      return err({ type: 'RateLimited', retryAfterSeconds: Math.max(1, decision.resetSeconds) });
    }

    const now = ports.clock.now();
    const token = await ports.transactions.run(async () => {
      await ports.oneTimeTokens.invalidateAll(user.id, 'verify_email', now);
      return issueOneTimeToken(ports, user.id, 'verify_email', now);
    });
    await ports.mailer.send(ports.mails.verification(user.email, user.fullName, token));
    return ok(undefined);
  }
}
