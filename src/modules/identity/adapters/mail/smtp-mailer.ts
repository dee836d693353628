import { createTransport } from 'nodemailer';
import type { Mailer, MailMessage } from '../../application/ports.ts';

export interface SmtpMailerOptions {
  /** `smtp://` (STARTTLS when offered) or `smtps://` (TLS from the start), credentials in the URL. */
  url: string;
  from: string;
  /** Bounds each phase (DNS, connect, greeting, socket idle); nodemailer's defaults are minutes. */
  timeoutMs?: number;
}

export class SmtpMailer implements Mailer {
  readonly #transport: ReturnType<typeof createTransport>;

  constructor(options: SmtpMailerOptions) {
    const timeout = options.timeoutMs ?? 10_000;
    this.#transport = createTransport(
      {
        url: options.url,
        dnsTimeout: timeout,
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
      },
      { from: options.from },
    );
  }

  async send(message: MailMessage): Promise<void> {
    await this.#transport.sendMail({
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
    });
  }
}
