import type { StoreAlert } from '../../../notifications/index.ts';
import type { OwnerAlerts } from '../../application/ports.ts';

/** The owner's `webhook.disabled`, stored by the notifications module in the caller's transaction. */
export class NotificationsOwnerAlerts implements OwnerAlerts {
  private readonly storeAlert: Pick<StoreAlert, 'execute'>;

  constructor(storeAlert: Pick<StoreAlert, 'execute'>) {
    this.storeAlert = storeAlert;
  }

  async webhookDisabled(input: {
    userId: string;
    webhookId: string;
    url: string;
    reason: string;
    at: Date;
  }): Promise<() => Promise<void>> {
    const stored = await this.storeAlert.execute({
      userId: input.userId,
      type: 'webhook.disabled',
      data: { webhook_id: input.webhookId, url: input.url, reason: input.reason },
      createdAt: input.at,
    });
    return stored.match(
      ({ publish }) => publish,
      (never) => never,
    );
  }
}
