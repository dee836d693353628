import { ResultAsync } from 'neverthrow';
import type { WebhooksPorts } from './ports.ts';
import { enqueueNext } from './support/enqueue.ts';

export interface ReconcileDeliveriesInput {
  /** Pending deliveries read per query. */
  pageSize: number;
}

type Ports = Pick<WebhooksPorts, 'deliveries' | 'queue' | 'clock' | 'failures'>;

/**
 * PostgreSQL knows every pending delivery; Redis may have lost its job (flushed, failed over, an
 * enqueue that failed after a commit). Queues the next attempt of each pending delivery that has
 * no job, at its recorded time (at once when that has passed). Queueing is idempotent per
 * attempt, and a job for an attempt already made finds the delivery past it and does nothing.
 */
export class ReconcileDeliveries {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: ReconcileDeliveriesInput): ResultAsync<{ queued: number }, never> {
    return ResultAsync.fromSafePromise(this.reconcile(input.pageSize));
  }

  private async reconcile(pageSize: number): Promise<{ queued: number }> {
    const { deliveries, queue } = this.ports;
    let queued = 0;
    let afterId: string | undefined;
    for (;;) {
      const page = await deliveries.pending(pageSize, afterId);
      if (page.length === 0) return { queued };
      const scheduled = await queue.scheduled(page.map((delivery) => delivery.id));
      const lost = page.filter((delivery) => !scheduled.has(delivery.id));
      await enqueueNext(this.ports, lost);
      queued += lost.length;
      afterId = page.at(-1)?.id;
      if (page.length < pageSize) return { queued };
    }
  }
}
