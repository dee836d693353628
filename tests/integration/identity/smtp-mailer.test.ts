import { createServer, type Server } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TemplateIdentityMails } from '../../../src/modules/identity/adapters/mail/identity-mails.ts';
import { SmtpMailer } from '../../../src/modules/identity/adapters/mail/smtp-mailer.ts';

interface Received {
  from: string | undefined;
  to: string[];
  raw: string;
}

const received: Received[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, session, done) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const mailFrom = session.envelope.mailFrom;
      received.push({
        from: mailFrom ? mailFrom.address : undefined,
        to: session.envelope.rcptTo.map((r) => r.address),
        raw: Buffer.concat(chunks).toString('utf8'),
      });
      done();
    });
  },
});
let smtpUrl: string;

beforeAll(async () => {
  const server = await new Promise<Server>((resolve) => {
    const listening = smtp.listen(0, '127.0.0.1', () => resolve(listening));
  });
  smtpUrl = `smtp://127.0.0.1:${portOf(server)}`;
});
afterAll(() => new Promise<void>((resolve) => smtp.close(() => resolve())));

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/** Undoes quoted-printable soft breaks and escapes, enough to find a link in a body part. */
function decodeQuotedPrintable(raw: string): string {
  return raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

describe('SmtpMailer', () => {
  it('delivers a mail with text and HTML parts to an SMTP server', async () => {
    const mailer = new SmtpMailer({ url: smtpUrl, from: 'no-reply@tasks.test' });
    const token = `ZZ${'a'.repeat(41)}`;
    const to = `user-${Date.now()}@example.test`;
    const mail = new TemplateIdentityMails('https://tasks.test').verification(
      to,
      'Ada Lovelace',
      token,
    );

    await mailer.send(mail);

    const message = received.find((m) => m.to.includes(to));
    expect(message?.from).toBe('no-reply@tasks.test');
    const raw = message?.raw ?? '';
    expect(raw).toMatch(/^Subject: Verify your email address\r?$/m);
    expect(raw).toMatch(/^To: .*@example\.test\r?$/m);
    expect(raw).toContain('Content-Type: text/plain');
    expect(raw).toContain('Content-Type: text/html');
    const body = decodeQuotedPrintable(raw);
    expect(body).toContain(`https://tasks.test/verify-email?token=${token}`);
    expect(body).toContain(`href="https://tasks.test/verify-email?token=${token}"`);
  });

  it('rejects when no SMTP server listens', async () => {
    const mailer = new SmtpMailer({
      url: 'smtp://127.0.0.1:1',
      from: 'no-reply@tasks.test',
      timeoutMs: 2_000,
    });
    await expect(
      mailer.send({ to: 'a@example.test', subject: 's', text: 't', html: '<p>t</p>' }),
    ).rejects.toThrow();
  });

  it('gives up on a server that accepts the connection but never greets', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const mailer = new SmtpMailer({
        url: `smtp://127.0.0.1:${portOf(silent)}`,
        from: 'x@tasks.test',
        timeoutMs: 300,
      });
      await expect(
        mailer.send({ to: 'a@example.test', subject: 's', text: 't', html: '<p>t</p>' }),
      ).rejects.toThrow(/greeting|timeout/i);
    } finally {
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
