import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { webhookNotFound, type WebhookErrorOf } from '../domain/webhook.errors.ts';
import { rotateSecret } from '../domain/webhook.ts';
import type { WebhookRef } from './get-webhook.ts';
import type { WebhooksPorts } from './ports.ts';

export interface RotateWebhookSecretOutput {
  /** The new secret, shown this once. */
  secret: string;
  /** Until then deliveries carry a signature with the old secret too. */
  previousSecretExpiresAt: Date;
}

type Ports = Pick<WebhooksPorts, 'webhooks' | 'secrets' | 'clock' | 'transactions'>;

/**
 * A new signing secret. The old one keeps signing (as a second signature) for 24 hours, so a
 * receiver can switch without losing a delivery; an older one still valid is dropped.
 */
export class RotateWebhookSecret {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(
    input: WebhookRef,
  ): ResultAsync<RotateWebhookSecretOutput, WebhookErrorOf<'WebhookNotFound'>> {
    return new ResultAsync(this.rotate(input));
  }

  private async rotate(
    input: WebhookRef,
  ): Promise<Result<RotateWebhookSecretOutput, WebhookErrorOf<'WebhookNotFound'>>> {
    const { ports } = this;
    return ports.transactions.run(async () => {
      const webhook = await ports.webhooks.findOf(input.actor.userId, input.webhookId, {
        forUpdate: true,
      });
      if (!webhook) return err(webhookNotFound(input.webhookId));
      const rotated = rotateSecret(webhook, ports.secrets.generate(), ports.clock.now());
      await ports.webhooks.save(rotated);
      return ok({
        secret: rotated.secret,
        previousSecretExpiresAt: rotated.previousSecretExpiresAt!,
      });
    });
  }
}
