import { describe, expect, it } from 'vitest';
import { BackgroundMailer } from '../../../src/modules/identity/adapters/mail/background-mailer.ts';
import type { MailMessage, Mailer } from '../../../src/modules/identity/application/ports.ts';
import { createLogger } from '../../../src/shared/infra/logger.ts';
import { captureLogs } from '../../support/test-app.ts';

const message: MailMessage = {
  to: 'a@example.test',
  subject: 'Hello',
  text: 'secret-link',
  html: '<p>x</p>',
};

class FlakyMailer implements Mailer {
  attempts = 0;
  private readonly failures: number;
  constructor(failures: number) {
    this.failures = failures;
  }
  async send(): Promise<void> {
    this.attempts += 1;
    if (this.attempts <= this.failures) throw new Error('connect ECONNREFUSED');
  }
}

describe('BackgroundMailer', () => {
  it('returns at once and delivers in the background, retrying until the mail server answers', async () => {
    const inner = new FlakyMailer(2);
    const { capture, stream } = captureLogs();
    const mailer = new BackgroundMailer(
      inner,
      createLogger({ level: 'info', destination: stream }),
      {
        firstRetryMs: 5,
      },
    );
    await mailer.send(message);
    expect(inner.attempts).toBeLessThanOrEqual(1);
    await mailer.drain();
    expect(inner.attempts).toBe(3);
    expect(
      capture.records().filter((r) => r.msg === 'mail delivery failed; will retry'),
    ).toHaveLength(2);
    expect(capture.lines.join('\n')).not.toContain('secret-link');
  });

  it('gives up after the last attempt with an error line, without failing the caller', async () => {
    const inner = new FlakyMailer(10);
    const { capture, stream } = captureLogs();
    const mailer = new BackgroundMailer(
      inner,
      createLogger({ level: 'info', destination: stream }),
      {
        attempts: 3,
        firstRetryMs: 1,
      },
    );
    await expect(mailer.send(message)).resolves.toBeUndefined();
    await mailer.drain();
    expect(inner.attempts).toBe(3);
    const last = capture.records().find((r) => r.msg === 'mail delivery failed; giving up');
    expect(last).toMatchObject({ level: 'error', attempt: 3 });
  });
});
