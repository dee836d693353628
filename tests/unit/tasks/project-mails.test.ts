import { describe, expect, it } from 'vitest';
import type { MailMessage } from '../../../src/modules/identity/application/ports.ts';
import { MailerProjectMails } from '../../../src/modules/tasks/adapters/mail/mailer-project-mails.ts';

function mailsVia(baseUrl: string) {
  const sent: MailMessage[] = [];
  const mails = new MailerProjectMails(
    {
      send: (message) => {
        sent.push(message);
        return Promise.resolve();
      },
    },
    baseUrl,
  );
  return { mails, sent };
}

const invitation = {
  to: 'ada@example.com',
  projectName: 'Roof <b>& "walls"</b>',
  inviterName: 'Grace <script>',
  role: 'editor' as const,
  expiresAt: new Date('2030-01-08T09:30:00.000Z'),
};

describe('MailerProjectMails', () => {
  it('links to the invitations page, with no token, and says until when', async () => {
    const { mails, sent } = mailsVia('https://tasks.example.test/');
    await mails.invitation(invitation);
    expect(sent).toHaveLength(1);
    const [mail] = sent;
    expect(mail?.to).toBe('ada@example.com');
    expect(mail?.text).toContain('https://tasks.example.test/invitations\n');
    expect(mail?.text).toContain('as editor');
    expect(mail?.text).toContain('2030-01-08 09:30 UTC');
    expect(`${mail?.text} ${mail?.html}`).not.toMatch(/token/i);
  });

  it('escapes the names people chose in the HTML part, and keeps the subject fixed', async () => {
    const { mails, sent } = mailsVia('https://tasks.example.test');
    await mails.invitation(invitation);
    const [mail] = sent;
    expect(mail?.subject).toBe('You have been invited to a project');
    expect(mail?.html).not.toContain('<script>');
    expect(mail?.html).not.toContain('<b>');
    expect(mail?.html).toContain('Grace &lt;script&gt;');
    expect(mail?.html).toContain('Roof &lt;b&gt;&amp; &quot;walls&quot;&lt;/b&gt;');
  });
});
