import type { Mailer } from '../../../identity/index.ts';
import type { InvitationMail, ProjectMails } from '../../application/ports.ts';

/**
 * Project mail through the identity module's mailer (in production the background one, so a slow
 * SMTP server never holds up a request). The invitation links to `<APP_BASE_URL>/invitations`
 * and carries no token: the invitee signs in, or registers with this address and verifies it,
 * and finds the invitation there. A forwarded mail therefore grants nothing.
 */
export class MailerProjectMails implements ProjectMails {
  readonly #mailer: Mailer;
  readonly #baseUrl: string;

  constructor(mailer: Mailer, appBaseUrl: string) {
    this.#mailer = mailer;
    this.#baseUrl = appBaseUrl.replace(/\/+$/, '');
  }

  invitation(mail: InvitationMail): Promise<void> {
    const link = `${this.#baseUrl}/invitations`;
    const until = mail.expiresAt.toISOString().replace('T', ' ').slice(0, 16);
    const invited = `${mail.inviterName} invited you to the project “${mail.projectName}” as ${mail.role}.`;
    const how =
      'Sign in with this address to accept or decline (or create an account with it and verify the address first):';
    const expiry = `The invitation expires on ${until} UTC.`;
    const ignore = 'If you do not want to join, you can ignore this mail.';
    const text = ['Hello,', '', invited, how, link, '', expiry, ignore, ''].join('\n');
    const html = [
      '<p>Hello,</p>',
      `<p>${escapeHtml(invited)}</p>`,
      `<p>${escapeHtml(how)}<br><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>`,
      `<p>${escapeHtml(expiry)} ${escapeHtml(ignore)}</p>`,
    ].join('\n');
    return this.#mailer.send({
      to: mail.to,
      subject: 'You have been invited to a project',
      text,
      html,
    });
  }
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}
