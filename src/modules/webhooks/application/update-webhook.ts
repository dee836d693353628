import { err, ok, ResultAsync, type Result } from 'neverthrow';
import {
  validationFailed,
  webhookNotFound,
  type WebhookErrorOf,
} from '../domain/webhook.errors.ts';
import type { Webhook } from '../domain/webhook.ts';
import type { WebhookRef } from './get-webhook.ts';
import type { WebhooksPorts } from './ports.ts';
import { subscriptionErrors, type SubscriptionFields } from './support/subscription-fields.ts';

export interface UpdateWebhookInput extends WebhookRef, SubscriptionFields {
  active?: boolean;
}

export type UpdateWebhookError = WebhookErrorOf<'WebhookNotFound' | 'ValidationFailed'>;

type Ports = Pick<WebhooksPorts, 'webhooks' | 'urlPolicy' | 'settings' | 'clock' | 'transactions'>;

/**
 * Changes the given fields. `active: true` also forgives the receiver's past: it clears
 * `disabled_reason` and the count of failed deliveries, so a webhook the service disabled gets a
 * full set of chances again. `active: false` is the owner's pause (no reason is recorded).
 */
export class UpdateWebhook {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: UpdateWebhookInput): ResultAsync<Webhook, UpdateWebhookError> {
    return new ResultAsync(this.update(input));
  }

  private async update(input: UpdateWebhookInput): Promise<Result<Webhook, UpdateWebhookError>> {
    const { ports } = this;
    const errors = await subscriptionErrors(ports, input);
    return ports.transactions.run(async () => {
      const webhook = await ports.webhooks.findOf(input.actor.userId, input.webhookId, {
        forUpdate: true,
      });
      if (!webhook) return err(webhookNotFound(input.webhookId));
      if (errors.length > 0) return err(validationFailed(errors));
      const changed: Webhook = {
        ...webhook,
        ...(input.url === undefined ? {} : { url: input.url }),
        ...(input.events === undefined ? {} : { events: input.events }),
        ...(input.active === undefined
          ? {}
          : input.active
            ? { active: true, disabledReason: null, consecutiveFailures: 0 }
            : { active: false }),
        updatedAt: ports.clock.now(),
      };
      await ports.webhooks.save(changed);
      return ok(changed);
    });
  }
}
