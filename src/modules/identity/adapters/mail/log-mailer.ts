import type { Logger } from '../../../../shared/infra/logger.ts';
import type { Mailer, MailMessage } from '../../application/ports.ts';

export interface LogMailerOptions {
  /**
   * Log the mail text, links and tokens included, so a developer without SMTP can follow them.
   * Only for local development: tokens must never reach the logs of tests or production.
   */
  revealLinks: boolean;
}

/** Stands in for SMTP when `SMTP_URL` is unset: the mail is written to the log instead of sent. */
export class LogMailer implements Mailer {
  readonly #logger: Logger;
  readonly #revealLinks: boolean;

  constructor(logger: Logger, options: LogMailerOptions) {
    this.#logger = logger;
    this.#revealLinks = options.revealLinks;
  }

  send(message: MailMessage): Promise<void> {
    const mail = { to: message.to, subject: message.subject };
    // `body`, not `text` or `link`: the logger redacts keys like `link` and `token`.
    const fields = this.#revealLinks ? { mail: { ...mail, body: message.text } } : { mail };
    this.#logger.info(fields, 'mail not sent: no SMTP_URL configured');
    return Promise.resolve();
  }
}
