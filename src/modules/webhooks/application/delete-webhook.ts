import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { webhookNotFound, type WebhookErrorOf } from '../domain/webhook.errors.ts';
import type { WebhookRef } from './get-webhook.ts';
import type { WebhooksPorts } from './ports.ts';

type Ports = Pick<WebhooksPorts, 'webhooks'>;

/** Deletes the webhook with its deliveries; queued attempts then find nothing and stop. */
export class DeleteWebhook {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: WebhookRef): ResultAsync<void, WebhookErrorOf<'WebhookNotFound'>> {
    return ResultAsync.fromSafePromise(
      this.ports.webhooks.delete(input.actor.userId, input.webhookId),
    ).andThen((deleted) =>
      deleted ? okAsync(undefined) : errAsync(webhookNotFound(input.webhookId)),
    );
  }
}
