import type { Logger } from '../../../../shared/infra/logger.ts';
import type { MailMessage, Mailer } from '../../application/ports.ts';

export interface BackgroundMailerOptions {
  attempts?: number;
  /** Delay before the second attempt; doubles after each failure. */
  firstRetryMs?: number;
}

/**
 * Hands mail to another mailer in the background, with retries, so a slow or failing SMTP server
 * never slows or fails the request that caused the mail. Mail still pending when the process
 * stops is lost; the user can ask again (resend verification, forgot password). `drain()` lets
 * shutdown and tests wait for what is in flight.
 */
export class BackgroundMailer implements Mailer {
  private readonly inner: Mailer;
  private readonly logger: Logger;
  private readonly attempts: number;
  private readonly firstRetryMs: number;
  private readonly pending = new Set<Promise<void>>();

  constructor(inner: Mailer, logger: Logger, options: BackgroundMailerOptions = {}) {
    this.inner = inner;
    this.logger = logger;
    this.attempts = options.attempts ?? 4;
    this.firstRetryMs = options.firstRetryMs ?? 2_000;
  }

  send(message: MailMessage): Promise<void> {
    const delivery = this.deliver(message).finally(() => this.pending.delete(delivery));
    this.pending.add(delivery);
    return Promise.resolve();
  }

  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async deliver(message: MailMessage): Promise<void> {
    let delay = this.firstRetryMs;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        await this.inner.send(message);
        return;
      } catch (err) {
        const last = attempt === this.attempts;
        this.logger[last ? 'error' : 'warn'](
          { mail: { subject: message.subject }, attempt, err: { message: (err as Error).message } },
          last ? 'mail delivery failed; giving up' : 'mail delivery failed; will retry',
        );
        if (last) return;
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay *= 2;
      }
    }
  }
}
