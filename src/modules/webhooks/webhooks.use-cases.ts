import { CreateWebhook } from './application/create-webhook.ts';
import { DeleteWebhook } from './application/delete-webhook.ts';
import { GetWebhook } from './application/get-webhook.ts';
import { ListDeliveries } from './application/list-deliveries.ts';
import { ListWebhooks } from './application/list-webhooks.ts';
import { PingWebhook } from './application/ping-webhook.ts';
import type { WebhooksPorts } from './application/ports.ts';
import { ReconcileDeliveries } from './application/reconcile-deliveries.ts';
import { RecordEventDeliveries } from './application/record-event-deliveries.ts';
import { Redeliver } from './application/redeliver.ts';
import { RotateWebhookSecret } from './application/rotate-webhook-secret.ts';
import { SendDelivery } from './application/send-delivery.ts';
import { UpdateWebhook } from './application/update-webhook.ts';

export type WebhooksUseCases = ReturnType<typeof createUseCases>;

export function createUseCases(ports: WebhooksPorts) {
  return {
    createWebhook: new CreateWebhook(ports),
    listWebhooks: new ListWebhooks(ports),
    getWebhook: new GetWebhook(ports),
    updateWebhook: new UpdateWebhook(ports),
    deleteWebhook: new DeleteWebhook(ports),
    rotateWebhookSecret: new RotateWebhookSecret(ports),
    pingWebhook: new PingWebhook(ports),
    listDeliveries: new ListDeliveries(ports),
    redeliver: new Redeliver(ports),
    recordEventDeliveries: new RecordEventDeliveries(ports),
    sendDelivery: new SendDelivery(ports),
    reconcileDeliveries: new ReconcileDeliveries(ports),
  };
}
