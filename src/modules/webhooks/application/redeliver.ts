import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { Delivery } from '../domain/delivery.ts';
import { webhookNotFound, type WebhookErrorOf } from '../domain/webhook.errors.ts';
import type { WebhookRef } from './get-webhook.ts';
import type { WebhooksPorts } from './ports.ts';

export interface RedeliverInput extends WebhookRef {
  deliveryId: string;
}

export type RedeliverError = WebhookErrorOf<'WebhookNotFound' | 'DeliveryNotFound'>;

type Ports = Pick<
  WebhooksPorts,
  'webhooks' | 'deliveries' | 'queue' | 'clock' | 'transactions' | 'failures'
>;

/**
 * Sends a delivery again, whatever its status: the same row, the same `webhook-id` and body, so
 * a receiver that deduplicates on the id sees one message. It is pending again with a fresh
 * series of attempts (and retries); `attempts` keeps counting every attempt ever made. The
 * attempt is queued to run now, even when a job for it was waiting out a long retry delay.
 */
export class Redeliver {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: RedeliverInput): ResultAsync<Delivery, RedeliverError> {
    return new ResultAsync(this.redeliver(input));
  }

  private async redeliver(input: RedeliverInput): Promise<Result<Delivery, RedeliverError>> {
    const { ports } = this;
    const outcome = await ports.transactions.run(async () => {
      const webhook = await ports.webhooks.findOf(input.actor.userId, input.webhookId);
      if (!webhook) return err(webhookNotFound(input.webhookId));
      const delivery = await ports.deliveries.redeliver(
        webhook.id,
        input.deliveryId,
        ports.clock.now(),
      );
      if (!delivery)
        return err({ type: 'DeliveryNotFound' as const, deliveryId: input.deliveryId });
      return ok(delivery);
    });
    if (outcome.isOk()) {
      const delivery = outcome.value;
      // As after any commit, a failure here loses nothing: the reconciler queues the attempt.
      await ports.queue
        .enqueueNow(delivery.id, delivery.attempts + 1)
        .catch((error: unknown) => ports.failures.report(error, { operation: 'webhooks.enqueue' }));
    }
    return outcome;
  }
}
