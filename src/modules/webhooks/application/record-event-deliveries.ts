import { ResultAsync } from 'neverthrow';
import type { Delivery } from '../domain/delivery.ts';
import { coversProject, type WebhookEventType } from '../domain/webhook.ts';
import type { WebhookEvent, WebhooksPorts } from './ports.ts';
import { enqueueNext } from './support/enqueue.ts';
import { payloadOf } from './support/payload.ts';

type Ports = Pick<
  WebhooksPorts,
  'webhooks' | 'deliveries' | 'audience' | 'queue' | 'ids' | 'clock' | 'failures'
>;

/**
 * Called by the notifications module inside the transaction that marks the events handled: writes
 * one delivery per event and active webhook that wants it (its types, its project if scoped to
 * one), among the webhooks of the users who may see the event now, as the relay hands it over:
 * someone removed from the project meanwhile gets nothing. Unlike notifications, the webhook owner's own actions are
 * delivered too: automations act on everything that happens to their tasks. A repeated event
 * writes nothing new (unique per webhook and event). Resolves what to run after the commit:
 * queueing the first attempts.
 */
export class RecordEventDeliveries {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(events: readonly WebhookEvent[]): ResultAsync<() => Promise<void>, never> {
    return ResultAsync.fromSafePromise(this.record(events));
  }

  private async record(events: readonly WebhookEvent[]): Promise<() => Promise<void>> {
    const { ports } = this;
    const deliveries: Delivery[] = [];
    const now = ports.clock.now();
    for (const [type, ofType] of byType(events)) {
      const entitled = new Map<WebhookEvent, string[]>();
      for (const event of ofType) entitled.set(event, await ports.audience.whoMaySee(event));
      const users = [...new Set([...entitled.values()].flat())];
      if (users.length === 0) continue;
      const webhooks = await ports.webhooks.subscribedTo(users, type);
      for (const event of ofType) {
        const audience = entitled.get(event) ?? [];
        const wanting = webhooks.filter(
          (hook) => audience.includes(hook.userId) && coversProject(hook, event.projectId),
        );
        for (const webhook of wanting) {
          deliveries.push({
            id: ports.ids.next(),
            webhookId: webhook.id,
            eventId: event.id,
            type: event.type,
            payload: payloadOf(event),
            status: 'pending',
            attempts: 0,
            attemptOffset: 0,
            lastStatusCode: null,
            lastError: null,
            lastAttemptAt: null,
            nextAttemptAt: now,
            durationMs: null,
            createdAt: now,
          });
        }
      }
    }
    const stored = await ports.deliveries.insertNew(deliveries);
    return () => enqueueNext(ports, stored);
  }
}

function byType(events: readonly WebhookEvent[]): Map<WebhookEventType, WebhookEvent[]> {
  const grouped = new Map<WebhookEventType, WebhookEvent[]>();
  for (const event of events) grouped.set(event.type, [...(grouped.get(event.type) ?? []), event]);
  return grouped;
}
