import type { Delivery } from '../../domain/delivery.ts';
import type { WebhooksPorts } from '../ports.ts';

/**
 * After the commit, queues each delivery's next attempt. A failure here loses nothing: the row is
 * pending in PostgreSQL, and the reconciler queues pending deliveries that have no job.
 */
export async function enqueueNext(
  ports: Pick<WebhooksPorts, 'queue' | 'failures' | 'clock'>,
  deliveries: readonly Delivery[],
): Promise<void> {
  const now = ports.clock.now().getTime();
  for (const delivery of deliveries) {
    const delayMs = Math.max(0, (delivery.nextAttemptAt?.getTime() ?? now) - now);
    await ports.queue
      .enqueue(delivery.id, delivery.attempts + 1, delayMs)
      .catch((error: unknown) => ports.failures.report(error, { operation: 'webhooks.enqueue' }));
  }
}
