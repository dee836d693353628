import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { Delivery } from '../domain/delivery.ts';
import { webhookNotFound, type WebhookErrorOf } from '../domain/webhook.errors.ts';
import { PING_TYPE } from '../domain/webhook.ts';
import type { WebhookRef } from './get-webhook.ts';
import type { WebhooksPorts } from './ports.ts';
import { enqueueNext } from './support/enqueue.ts';
import { payloadOf } from './support/payload.ts';

type Ports = Pick<
  WebhooksPorts,
  'webhooks' | 'deliveries' | 'queue' | 'ids' | 'clock' | 'transactions' | 'failures'
>;

/**
 * A `webhook.ping` delivery, sent and retried like any other, so an owner can test a receiver
 * (an inactive webhook's ping is recorded and given up, as its events would be).
 */
export class PingWebhook {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: WebhookRef): ResultAsync<Delivery, WebhookErrorOf<'WebhookNotFound'>> {
    return new ResultAsync(this.ping(input));
  }

  private async ping(
    input: WebhookRef,
  ): Promise<Result<Delivery, WebhookErrorOf<'WebhookNotFound'>>> {
    const { ports } = this;
    const now = ports.clock.now();
    const stored = await ports.transactions.run(async () => {
      const webhook = await ports.webhooks.findOf(input.actor.userId, input.webhookId);
      if (!webhook) return undefined;
      const eventId = ports.ids.next();
      const [delivery] = await ports.deliveries.insertNew([
        {
          id: ports.ids.next(),
          webhookId: webhook.id,
          eventId,
          type: PING_TYPE,
          payload: payloadOf({
            id: eventId,
            type: PING_TYPE,
            taskId: null,
            projectId: webhook.projectId,
            actorId: input.actor.userId,
            data: { webhook_id: webhook.id },
            occurredAt: now,
          }),
          status: 'pending',
          attempts: 0,
          attemptOffset: 0,
          lastStatusCode: null,
          lastError: null,
          lastAttemptAt: null,
          nextAttemptAt: now,
          durationMs: null,
          createdAt: now,
        },
      ]);
      return delivery;
    });
    if (!stored) return err(webhookNotFound(input.webhookId));
    await enqueueNext(ports, [stored]);
    return ok(stored);
  }
}
