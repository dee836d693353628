import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  generateWebhookSecret,
  signWebhook,
} from '../../../../src/modules/webhooks/adapters/delivery/standard-webhooks-signer.ts';

describe('the Standard Webhooks signer', () => {
  it('makes secrets of whsec_ and 32 random bytes, never the same twice', () => {
    const secrets = Array.from({ length: 50 }, generateWebhookSecret);

    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    }
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  it('signs exactly as the reference implementation does', () => {
    const secret = generateWebhookSecret();
    const at = new Date('2026-12-06T12:00:00.750Z');
    const body = '{"type":"task.created","data":{"title":"naïve ☃"}}';

    expect(signWebhook('msg_1', at, body, [secret])).toBe(
      new Webhook(secret).sign('msg_1', at, body),
    );
  });

  it('lists one signature per secret, in the order given', () => {
    const [a, b] = [generateWebhookSecret(), generateWebhookSecret()];
    const at = new Date();

    expect(signWebhook('msg_2', at, '{}', [a, b])).toBe(
      `${new Webhook(a).sign('msg_2', at, '{}')} ${new Webhook(b).sign('msg_2', at, '{}')}`,
    );
  });

  it('refuses to sign without a secret or with one that is not whsec_', () => {
    expect(() => signWebhook('msg_3', new Date(), '{}', [])).toThrow();
    expect(() => signWebhook('msg_3', new Date(), '{}', ['not-a-secret'])).toThrow();
    expect(() => signWebhook('msg_3', new Date(), '{}', ['whsec_'])).toThrow();
  });
});
