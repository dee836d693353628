import type {
  IdentityMails,
  MailMessage,
  Mailer,
} from '../../../src/modules/identity/application/ports.ts';

/** Keeps every sent mail; `failWith` makes sending reject, as an SMTP outage would. */
export class RecordingMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  private failure: Error | undefined;

  failWith(error: Error | undefined): void {
    this.failure = error;
  }

  async send(message: MailMessage): Promise<void> {
    if (this.failure) throw this.failure;
    this.sent.push(message);
  }

  /** The token in the newest mail to `to` whose subject contains `subject`. */
  lastTokenTo(to: string, subject: string): string | undefined {
    const mail = this.sent.findLast((m) => m.to === to && m.subject.includes(subject));
    return mail?.text.match(/token=(\S+)/)?.[1];
  }
}

/** Plain mails with the token in a link, shaped like the real ones. */
export const plainMails: IdentityMails = {
  verification: (to, fullName, token) =>
    mail(to, 'Verify your email', fullName, `/verify-email?token=${token}`),
  passwordReset: (to, fullName, token) =>
    mail(to, 'Reset your password', fullName, `/reset-password?token=${token}`),
};

function mail(to: string, subject: string, fullName: string, path: string): MailMessage {
  const text = `Hi ${fullName}, http://app.test${path}`;
  return { to, subject, text, html: `<p>${text}</p>` };
}
