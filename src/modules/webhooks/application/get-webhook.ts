import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { webhookNotFound, type WebhookErrorOf } from '../domain/webhook.errors.ts';
import type { Webhook } from '../domain/webhook.ts';
import type { WebhooksPorts } from './ports.ts';

export interface WebhookRef {
  actor: { userId: string };
  webhookId: string;
}

type Ports = Pick<WebhooksPorts, 'webhooks'>;

/** One of the caller's webhooks; anyone else's is not found. */
export class GetWebhook {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: WebhookRef): ResultAsync<Webhook, WebhookErrorOf<'WebhookNotFound'>> {
    return ResultAsync.fromSafePromise(
      this.ports.webhooks.findOf(input.actor.userId, input.webhookId),
    ).andThen((webhook) =>
      webhook ? okAsync(webhook) : errAsync(webhookNotFound(input.webhookId)),
    );
  }
}
