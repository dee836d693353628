import { describe, expect, it } from 'vitest';
import { TemplateIdentityMails } from '../../../src/modules/identity/adapters/mail/identity-mails.ts';

const mails = new TemplateIdentityMails('https://tasks.example/');

describe('TemplateIdentityMails', () => {
  it('links the verification mail to <APP_BASE_URL>/verify-email with the token, valid 24 hours', () => {
    const mail = mails.verification('ada@example.test', 'Ada', 'tok123');
    expect(mail).toMatchObject({ to: 'ada@example.test', subject: 'Verify your email address' });
    expect(mail.text).toContain('https://tasks.example/verify-email?token=tok123');
    expect(mail.html).toContain('href="https://tasks.example/verify-email?token=tok123"');
    expect(mail.text).toContain('24 hours');
    expect(mail.html).toContain('24 hours');
  });

  it('links the reset mail to <APP_BASE_URL>/reset-password with the token, valid 1 hour', () => {
    const mail = mails.passwordReset('ada@example.test', 'Ada', 'tok456');
    expect(mail.subject).toBe('Reset your password');
    expect(mail.text).toContain('https://tasks.example/reset-password?token=tok456');
    expect(mail.html).toContain('href="https://tasks.example/reset-password?token=tok456"');
    expect(mail.text).toContain('1 hour');
  });

  it('URL-encodes the token', () => {
    const mail = mails.verification('a@example.test', 'A', 'a+b/c=d&e');
    expect(mail.text).toContain('?token=a%2Bb%2Fc%3Dd%26e');
  });

  it('escapes the full name in the HTML part', () => {
    const mail = mails.passwordReset('a@example.test', '<script>alert("x")</script> & Co', 't');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(mail.text).toContain('<script>alert("x")</script> & Co');
  });
});
