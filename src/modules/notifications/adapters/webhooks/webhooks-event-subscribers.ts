import {
  WEBHOOK_EVENT_TYPES,
  type RecordEventDeliveries,
  type WebhookEvent,
  type WebhookEventType,
} from '../../../webhooks/index.ts';
import type { EventSubscribers, SubscribedEvent } from '../../application/ports.ts';
import type { NotificationType } from '../../domain/notification.ts';

/** What a webhook may subscribe to is a notification type (a type added there must be one here). */
const SUBSCRIBABLE: readonly NotificationType[] = WEBHOOK_EVENT_TYPES;

const isSubscribable = (
  event: SubscribedEvent,
): event is SubscribedEvent & { type: WebhookEventType } => SUBSCRIBABLE.includes(event.type);

/** The webhooks module's deliveries, written for the events of types a webhook may want. */
export class WebhooksEventSubscribers implements EventSubscribers {
  private readonly recordDeliveries: Pick<RecordEventDeliveries, 'execute'>;

  constructor(recordDeliveries: Pick<RecordEventDeliveries, 'execute'>) {
    this.recordDeliveries = recordDeliveries;
  }

  async record(events: readonly SubscribedEvent[]): Promise<() => Promise<void>> {
    const recorded = await this.recordDeliveries.execute(
      events.filter(isSubscribable).map((event): WebhookEvent => ({ ...event })),
    );
    return recorded.match(
      (dispatch) => dispatch,
      (never) => never,
    );
  }
}
