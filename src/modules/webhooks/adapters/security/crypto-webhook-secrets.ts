import { randomBytes } from 'node:crypto';
import type { WebhookSecrets } from '../../application/ports.ts';

/** Standard Webhooks secrets: `whsec_` and the base64 of 32 random bytes (the HMAC key). */
export class CryptoWebhookSecrets implements WebhookSecrets {
  generate(): string {
    return `whsec_${randomBytes(32).toString('base64')}`;
  }
}
