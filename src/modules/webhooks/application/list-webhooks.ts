import { ResultAsync } from 'neverthrow';
import type { Webhook } from '../domain/webhook.ts';
import type { WebhooksPorts } from './ports.ts';

type Ports = Pick<WebhooksPorts, 'webhooks'>;

/** The caller's webhooks, oldest first (there are at most `MAX_WEBHOOKS_PER_USER`). */
export class ListWebhooks {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: { actor: { userId: string } }): ResultAsync<{ items: Webhook[] }, never> {
    return ResultAsync.fromSafePromise(
      this.ports.webhooks.listOf(input.actor.userId).then((items) => ({ items })),
    );
  }
}
