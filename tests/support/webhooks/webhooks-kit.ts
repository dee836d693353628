import { inject } from 'vitest';
import type { WebhookUrlPolicy } from '../../../src/modules/webhooks/application/ports.ts';
import {
  createTasksTestApp,
  expectStatus,
  type TasksClient,
  type TasksTestApp,
} from '../tasks/http-tasks.ts';
import { isolatedDatabase } from '../notifications/isolated-database.ts';
import { flushQueueKeys, uniqueQueuePrefix } from '../notifications/queue-keys.ts';
import { testTransport, type TestTransport } from './test-transport.ts';

export interface WebhooksTestApp extends TasksTestApp {
  transport: TestTransport;
}

/**
 * The real app with the test transport, `http` to loopback allowed, a queue prefix and a database
 * of its own (its worker's relay must not take other test files' outbox events).
 */
export async function createWebhooksTestApp(
  env: Record<string, string> = {},
  retryDelaysMs?: readonly number[],
  urlPolicy?: WebhookUrlPolicy,
): Promise<WebhooksTestApp> {
  const prefix = uniqueQueuePrefix('webhooks');
  const db = await isolatedDatabase('webhooks');
  const transport = testTransport(inject('redisUrl'), prefix, retryDelaysMs);
  if (urlPolicy) transport.urlPolicy = urlPolicy;
  const t = await createTasksTestApp(
    {
      DATABASE_URL: db.url,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      QUEUE_PREFIX: prefix,
      OUTBOX_POLL_INTERVAL_MS: '50',
      WEBHOOK_RECONCILE_INTERVAL_MS: '100',
      ...env,
    },
    { webhookTransport: transport },
  );
  return {
    ...t,
    transport,
    close: async () => {
      await t.close();
      await flushQueueKeys(inject('redisUrl'), prefix);
      await db.drop();
    },
  };
}

export interface WebhookJson {
  id: string;
  url: string;
  events: string[];
  project_id: string | null;
  active: boolean;
  disabled_reason: string | null;
  created_at: string;
  updated_at: string;
  secret?: string;
}

export interface DeliveryJson {
  id: string;
  event_id: string;
  type: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  last_attempt_at: string | null;
  next_attempt_at: string | null;
  duration_ms: number | null;
  created_at: string;
}

export async function createWebhook(
  client: TasksClient,
  url: string,
  events: string[] = ['*'],
): Promise<WebhookJson & { secret: string }> {
  return expectStatus<WebhookJson & { secret: string }>(
    await client.post('/webhooks', { url, events }),
    201,
  );
}

export async function deliveriesOf(
  client: TasksClient,
  webhookId: string,
  query = '',
): Promise<{ items: DeliveryJson[]; next_cursor: string | null }> {
  return expectStatus(await client.get(`/webhooks/${webhookId}/deliveries${query}`), 200);
}

/** Polls the deliveries list until `done` holds (fails after `timeoutMs`). */
export async function waitForDeliveries(
  client: TasksClient,
  webhookId: string,
  done: (items: DeliveryJson[]) => boolean,
  timeoutMs = 10_000,
): Promise<DeliveryJson[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { items } = await deliveriesOf(client, webhookId);
    if (done(items)) return items;
    if (Date.now() > deadline)
      throw new Error(`deliveries never settled: ${JSON.stringify(items)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
