import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  /** The raw message with quoted-printable soft breaks and escapes undone. */
  text: string;
}

/** A real SMTP server on an ephemeral port that keeps what it receives. */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  private readonly server: SMTPServer;
  url = '';

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, done) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          this.received.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            text: decodeQuotedPrintable(Buffer.concat(chunks).toString('utf8')),
          });
          done();
        });
      },
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    const address = (
      this.server as unknown as { server: { address(): AddressInfo } }
    ).server.address();
    this.url = `smtp://127.0.0.1:${address.port}`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Waits for the newest mail to `to` whose text matches `pattern`. */
  async waitForMail(to: string, pattern: RegExp, timeoutMs = 10_000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mail = this.received.findLast((m) => m.to.includes(to) && pattern.test(m.text));
      if (mail) return mail;
      if (Date.now() > deadline) throw new Error(`no mail to ${to} matching ${String(pattern)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** The token of the newest link `<base>/<path>?token=...` mailed to `to`. */
  async tokenFor(to: string, path: 'verify-email' | 'reset-password'): Promise<string> {
    const pattern = new RegExp(`/${path}\\?token=([A-Za-z0-9_%.~-]+)`);
    const mail = await this.waitForMail(to, pattern);
    return decodeURIComponent(pattern.exec(mail.text)![1]!);
  }
}

function decodeQuotedPrintable(raw: string): string {
  return raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
