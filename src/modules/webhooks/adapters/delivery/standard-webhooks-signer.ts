import { createHmac, randomBytes } from 'node:crypto';

/** Standard Webhooks secrets are `whsec_` + base64 of the key bytes. */
export const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;

/** A new signing secret: 32 random bytes, shown to the webhook's owner once. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('a webhook secret starts with whsec_');
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  if (key.length === 0) throw new Error('a webhook secret holds no key bytes');
  return key;
}

/** `webhook-timestamp`: whole seconds since the epoch. */
export const webhookTimestamp = (at: Date): string => String(Math.floor(at.getTime() / 1000));

/**
 * The `webhook-signature` value: one `v1,<base64 HMAC-SHA256>` per secret, space-separated, over
 * `<id>.<timestamp>.<body>`. Signing with the rotated-out secret too lets receivers switch to the
 * new secret whenever they like while both are valid.
 */
export function signWebhook(
  messageId: string,
  timestamp: Date,
  body: string,
  secrets: readonly string[],
): string {
  if (secrets.length === 0) throw new Error('a webhook is signed with at least one secret');
  const content = `${messageId}.${webhookTimestamp(timestamp)}.${body}`;
  return secrets
    .map(
      (secret) => `v1,${createHmac('sha256', secretKey(secret)).update(content).digest('base64')}`,
    )
    .join(' ');
}
