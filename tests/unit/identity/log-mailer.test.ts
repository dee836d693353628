import { describe, expect, it } from 'vitest';
import { TemplateIdentityMails } from '../../../src/modules/identity/adapters/mail/identity-mails.ts';
import { LogMailer } from '../../../src/modules/identity/adapters/mail/log-mailer.ts';
import { createLogger } from '../../../src/shared/infra/logger.ts';
import { captureLogs } from '../../support/test-app.ts';

const token = 'secret-token-that-must-stay-out-of-logs';
const mail = new TemplateIdentityMails('http://localhost:3000').verification(
  'ada@example.test',
  'Ada',
  token,
);

function logMailer(revealLinks: boolean) {
  const { capture, stream } = captureLogs();
  return {
    mailer: new LogMailer(createLogger({ level: 'debug', destination: stream }), { revealLinks }),
    capture,
  };
}

describe('LogMailer', () => {
  it('logs recipient and subject but never the token by default', async () => {
    const { mailer, capture } = logMailer(false);
    await mailer.send(mail);
    expect(capture.records()).toEqual([
      expect.objectContaining({
        level: 'info',
        mail: { to: 'ada@example.test', subject: 'Verify your email address' },
      }),
    ]);
    expect(capture.lines.join('\n')).not.toContain(token);
  });

  it('logs the mail text with its link when told to reveal links (local development)', async () => {
    const { mailer, capture } = logMailer(true);
    await mailer.send(mail);
    expect(capture.lines).toHaveLength(1);
    expect(capture.lines[0]).toContain(`http://localhost:3000/verify-email?token=${token}`);
  });
});
