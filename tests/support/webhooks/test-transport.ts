import { createHmac } from 'node:crypto';
import { Redis } from 'ioredis';
import type {
  DeliveryQueue,
  EndpointSlots,
  OutgoingWebhook,
  SendOutcome,
  WebhookSender,
} from '../../../src/modules/webhooks/application/ports.ts';
import type { WebhookTransport } from '../../../src/modules/webhooks/webhooks.module.ts';
import type {
  DeliveryConsumer,
  DeliveryJobHandler,
} from '../../../src/modules/webhooks/webhooks.worker.ts';

/**
 * A minimal Standard Webhooks sender over `fetch`: signs with every secret, follows no redirect,
 * gives up after `timeoutMs`. It stands in for the production sender in tests; it checks no
 * addresses, so tests point it at loopback only.
 */
export class FetchWebhookSender implements WebhookSender {
  private readonly timeoutMs: number;

  constructor(timeoutMs = 2_000) {
    this.timeoutMs = timeoutMs;
  }

  async send(webhook: OutgoingWebhook): Promise<SendOutcome> {
    const started = performance.now();
    const seconds = Math.floor(webhook.timestamp.getTime() / 1000);
    const signatures = webhook.secrets.map((secret) => {
      const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
      const mac = createHmac('sha256', key)
        .update(`${webhook.messageId}.${seconds}.${webhook.body}`)
        .digest('base64');
      return `v1,${mac}`;
    });
    try {
      const res = await fetch(webhook.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'webhook-id': webhook.messageId,
          'webhook-timestamp': String(seconds),
          'webhook-signature': signatures.join(' '),
        },
        body: webhook.body,
      });
      await res.arrayBuffer();
      const durationMs = Math.round(performance.now() - started);
      if (res.status >= 200 && res.status < 300) {
        return { kind: 'delivered', statusCode: res.status, durationMs };
      }
      return { kind: 'rejected', statusCode: res.status, durationMs, error: `HTTP ${res.status}` };
    } catch (error) {
      const durationMs = Math.round(performance.now() - started);
      return { kind: 'unreachable', durationMs, error: (error as Error).message };
    }
  }
}

/**
 * A delivery queue in Redis (a sorted set of `deliveryId|attempt` by due time) with a polling
 * consumer: small, but it loses its jobs when Redis loses its keys, which is what the reconciler
 * tests need. Stands in for the BullMQ queue in tests.
 */
export class RedisTestQueue implements DeliveryQueue {
  readonly redis: Redis;
  readonly key: string;
  private readonly active = new Set<string>();

  constructor(redisUrl: string, prefix: string) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    this.key = `${prefix}:webhook-jobs`;
  }

  async enqueue(deliveryId: string, attempt: number, delayMs: number): Promise<void> {
    await this.redis.zadd(this.key, 'NX', String(Date.now() + delayMs), `${deliveryId}|${attempt}`);
  }

  async enqueueNow(deliveryId: string, attempt: number): Promise<void> {
    // LT: added when absent, moved forward when due later.
    await this.redis.zadd(this.key, 'LT', String(Date.now()), `${deliveryId}|${attempt}`);
  }

  async scheduled(deliveryIds: readonly string[]): Promise<Set<string>> {
    const members = await this.redis.zrange(this.key, '0', '-1');
    const queued = new Set([...members.map((member) => member.split('|')[0]!), ...this.active]);
    return new Set(deliveryIds.filter((id) => queued.has(id)));
  }

  consumer(handle: DeliveryJobHandler, pollMs = 25): DeliveryConsumer {
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> | undefined;
    const tick = async () => {
      const due = await this.redis.zrangebyscore(this.key, 0, Date.now(), 'LIMIT', 0, 10);
      for (const member of due) {
        if ((await this.redis.zrem(this.key, member)) === 0) continue;
        const [deliveryId, attempt] = member.split('|');
        this.active.add(deliveryId!);
        try {
          const deferral = await handle({ deliveryId: deliveryId!, attempt: Number(attempt) });
          if (deferral) {
            await this.redis.zadd(this.key, 'NX', String(Date.now() + deferral.retryInMs), member);
          }
        } finally {
          this.active.delete(deliveryId!);
        }
      }
    };
    const loop = () => {
      running = tick()
        .catch(() => undefined)
        .finally(() => {
          if (timer !== undefined) timer = setTimeout(loop, pollMs);
        });
    };
    return {
      start: () => {
        timer = setTimeout(loop, 0);
      },
      stop: async () => {
        clearTimeout(timer);
        timer = undefined;
        await running;
      },
    };
  }

  /** Every job of this queue gone, as after a FLUSHDB. */
  async lose(): Promise<void> {
    await this.redis.del(this.key);
  }

  close(): Promise<void> {
    this.redis.disconnect();
    return Promise.resolve();
  }
}

/** At most `limit` deliveries at once per webhook, in this process. */
export class InProcessSlots implements EndpointSlots {
  private readonly taken = new Map<string, number>();
  private readonly limit: number;

  constructor(limit = 4) {
    this.limit = limit;
  }

  acquire(webhookId: string): Promise<(() => Promise<void>) | undefined> {
    const taken = this.taken.get(webhookId) ?? 0;
    if (taken >= this.limit) return Promise.resolve(undefined);
    this.taken.set(webhookId, taken + 1);
    return Promise.resolve(() => {
      this.taken.set(webhookId, (this.taken.get(webhookId) ?? 1) - 1);
      return Promise.resolve();
    });
  }
}

export interface TestTransport extends WebhookTransport {
  queue: RedisTestQueue;
}

/** The test transport: a fetch sender, the Redis test queue, in-process slots, short retries. */
export function testTransport(
  redisUrl: string,
  prefix: string,
  retryDelaysMs: readonly number[] = [50, 50],
): TestTransport {
  const queue = new RedisTestQueue(redisUrl, prefix);
  return {
    sender: new FetchWebhookSender(),
    urlPolicy: { check: () => Promise.resolve(undefined) },
    queue,
    slots: new InProcessSlots(),
    retrySchedule: (attempt) => retryDelaysMs[attempt - 2],
    consumer: (handle) => queue.consumer(handle),
    close: () => queue.close(),
  };
}
