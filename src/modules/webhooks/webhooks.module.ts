import type { MiddlewareHandler } from 'hono';
import type { AuthEnv } from '../../shared/http/bearer-auth.ts';
import { webhooksRoutes } from './adapters/http/webhooks.routes.ts';
import type {
  DeliveryQueue,
  EndpointSlots,
  RetrySchedule,
  WebhookSender,
  WebhookUrlPolicy,
  WebhooksPorts,
} from './application/ports.ts';
import type { DeliveryConsumer, DeliveryJobHandler } from './webhooks.worker.ts';
import { createUseCases, type WebhooksUseCases } from './webhooks.use-cases.ts';

/** What carries deliveries to receivers: signing, sending, queueing, concurrency and backoff. */
export interface WebhookTransport {
  sender: WebhookSender;
  urlPolicy: WebhookUrlPolicy;
  queue: DeliveryQueue;
  slots: EndpointSlots;
  retrySchedule: RetrySchedule;
  /** The worker role's consumer of the queue, running `handle` for each job. */
  consumer(handle: DeliveryJobHandler): DeliveryConsumer;
  close(): Promise<void>;
}

export interface WebhooksModule {
  useCases: WebhooksUseCases;
  /** Routers to mount under `/api/v1`. */
  routes(options: {
    requireAuth: MiddlewareHandler<AuthEnv>;
  }): Array<ReturnType<typeof webhooksRoutes>>;
}

/** The webhooks use cases over the given ports, and their HTTP routes. */
export function createWebhooksModule(ports: WebhooksPorts): WebhooksModule {
  const useCases = createUseCases(ports);
  return {
    useCases,
    routes: ({ requireAuth }) => [
      webhooksRoutes({
        useCases,
        requireAuth,
        urlRules: { allowPrivate: ports.settings.allowPrivate },
      }),
    ],
  };
}
