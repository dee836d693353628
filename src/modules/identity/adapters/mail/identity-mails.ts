import type { IdentityMails, MailMessage } from '../../application/ports.ts';

interface Template {
  subject: string;
  path: string;
  action: string;
  validity: string;
  ignoreNote: string;
}

const VERIFICATION: Template = {
  subject: 'Verify your email address',
  path: '/verify-email',
  action: 'Please confirm your email address by opening this link:',
  validity: '24 hours',
  ignoreNote: 'If you did not create an account, you can ignore this mail.',
};

const PASSWORD_RESET: Template = {
  subject: 'Reset your password',
  path: '/reset-password',
  action: 'You asked to reset your password. Choose a new one by opening this link:',
  validity: '1 hour',
  ignoreNote:
    'If you did not ask for this, you can ignore this mail; your password stays unchanged.',
};

/** Plain-text and HTML mails whose links carry `<APP_BASE_URL>/...?token=<token>`. */
export class TemplateIdentityMails implements IdentityMails {
  readonly #baseUrl: string;

  constructor(appBaseUrl: string) {
    this.#baseUrl = appBaseUrl.replace(/\/+$/, '');
  }

  verification(to: string, fullName: string, token: string): MailMessage {
    return this.#render(VERIFICATION, to, fullName, token);
  }

  passwordReset(to: string, fullName: string, token: string): MailMessage {
    return this.#render(PASSWORD_RESET, to, fullName, token);
  }

  #render(template: Template, to: string, fullName: string, token: string): MailMessage {
    const link = `${this.#baseUrl}${template.path}?token=${encodeURIComponent(token)}`;
    const expiry = `The link expires in ${template.validity}.`;
    const text = [
      `Hello ${fullName},`,
      '',
      template.action,
      link,
      '',
      expiry,
      template.ignoreNote,
      '',
    ].join('\n');
    const html = [
      `<p>Hello ${escapeHtml(fullName)},</p>`,
      `<p>${template.action}</p>`,
      `<p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>`,
      `<p>${expiry} ${template.ignoreNote}</p>`,
    ].join('\n');
    return { to, subject: template.subject, text, html };
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
