import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { Delivery, DeliveryStatus } from '../domain/delivery.ts';
import {
  validationFailed,
  webhookNotFound,
  type WebhookErrorOf,
} from '../domain/webhook.errors.ts';
import type { WebhookRef } from './get-webhook.ts';
import type { WebhooksPorts } from './ports.ts';
import { decodeDeliveryCursor, encodeDeliveryCursor } from './support/delivery-cursor.ts';

export interface ListDeliveriesInput extends WebhookRef {
  status?: DeliveryStatus;
  /** 1–100. */
  limit: number;
  cursor?: string;
}

export interface ListDeliveriesOutput {
  items: Delivery[];
  /** Continues after the last item; null when nothing older matches. */
  nextCursor: string | null;
}

export type ListDeliveriesError = WebhookErrorOf<'WebhookNotFound' | 'ValidationFailed'>;

type Ports = Pick<WebhooksPorts, 'webhooks' | 'deliveries'>;

/** A webhook's deliveries, newest first, by keyset cursor. */
export class ListDeliveries {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: ListDeliveriesInput): ResultAsync<ListDeliveriesOutput, ListDeliveriesError> {
    return new ResultAsync(this.list(input));
  }

  private async list(
    input: ListDeliveriesInput,
  ): Promise<Result<ListDeliveriesOutput, ListDeliveriesError>> {
    const webhook = await this.ports.webhooks.findOf(input.actor.userId, input.webhookId);
    if (!webhook) return err(webhookNotFound(input.webhookId));
    let beforeId: string | undefined;
    if (input.cursor !== undefined) {
      beforeId = decodeDeliveryCursor(input.cursor);
      if (beforeId === undefined) {
        return err(
          validationFailed([{ field: 'cursor', message: 'is not a cursor this API issued' }]),
        );
      }
    }
    const { items, hasMore } = await this.ports.deliveries.list({
      webhookId: webhook.id,
      limit: input.limit,
      ...(input.status === undefined ? {} : { status: input.status }),
      ...(beforeId === undefined ? {} : { beforeId }),
    });
    const last = items.at(-1);
    return ok({ items, nextCursor: hasMore && last ? encodeDeliveryCursor(last.id) : null });
  }
}
