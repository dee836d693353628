import { Queue, type JobState, type JobsOptions, type Telemetry } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DeliveryQueue } from '../../application/ports.ts';

export const DELIVERY_QUEUE = 'webhook-deliveries';
const DELIVER_JOB = 'deliver';

export interface DeliveryJobData {
  deliveryId: string;
  attempt: number;
}

/**
 * One job per (delivery, attempt): adding the same pair again while its job is still to run is
 * ignored by BullMQ, so a reconciler or a retried transaction may enqueue twice without sending
 * twice. No `:` allowed.
 */
export function deliveryJobId(deliveryId: string, attempt: number): string {
  if (deliveryId.includes(':')) throw new Error('a delivery id for a job id may not contain ":"');
  return `delivery-${deliveryId}-${attempt}`;
}

const deliveryIdOf = (jobId: string): string | undefined => /^delivery-(.+)-\d+$/.exec(jobId)?.[1];

const JOB_OPTIONS: JobsOptions = {
  // Only the handler's own failures (database down) retry the same attempt, briefly; a
  // receiver's failure is an outcome, and its retry is a new attempt the handler enqueues.
  attempts: 3,
  backoff: { type: 'exponential', delay: 1_000 },
  // Finished jobs are kept for inspection; `enqueue` replaces one whose attempt is asked for again.
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
};

/** The states in which a job will still run. */
const PENDING: readonly JobState[] = [
  'waiting',
  'delayed',
  'active',
  'prioritized',
  'waiting-children',
];
const PAGE = 1_000;

/** The `webhook-deliveries` queue. The queue and its connection open on first use. */
export class BullMqDeliveryQueue implements DeliveryQueue {
  readonly #connect: () => Redis;
  readonly #prefix: string;
  readonly #telemetry: Telemetry | undefined;
  #connection: Redis | undefined;
  #queue: Queue<DeliveryJobData> | undefined;

  /** With `telemetry` (BullMQ's tracing), a job carries the trace it was enqueued in. */
  constructor(connect: () => Redis, prefix: string, telemetry?: Telemetry) {
    this.#connect = connect;
    this.#prefix = prefix;
    this.#telemetry = telemetry;
  }

  /**
   * A finished job of the same attempt is replaced. An attempt can be asked for again after its
   * job finished without making it: a delivery given up unsent (`attempts` unchanged) and then
   * redelivered, or a job whose handler failed for good. Kept, its id would block that attempt
   * for as long as finished jobs are kept. Running it again is harmless: the handler re-reads
   * the delivery and does nothing for an attempt that is no longer the next one.
   */
  async enqueue(deliveryId: string, attempt: number, delayMs: number): Promise<void> {
    const queue = this.#open();
    const jobId = deliveryJobId(deliveryId, attempt);
    const state = await queue.getJobState(jobId);
    if (state === 'completed' || state === 'failed') await queue.remove(jobId);
    await queue.add(
      DELIVER_JOB,
      { deliveryId, attempt },
      { ...JOB_OPTIONS, jobId, delay: Math.max(0, delayMs) },
    );
  }

  /**
   * A redelivery is due now: a job of that attempt still waiting out a retry's (or a busy
   * endpoint's) delay runs at once instead of hours later.
   */
  async enqueueNow(deliveryId: string, attempt: number): Promise<void> {
    await this.enqueue(deliveryId, attempt, 0);
    const job = await this.#open().getJob(deliveryJobId(deliveryId, attempt));
    if (!job || !(await job.isDelayed())) return;
    // The delay may run out between the check and the promotion; only a job still delayed fails.
    await job.promote().catch(async (error: unknown) => {
      if (await job.isDelayed()) throw error;
    });
  }

  /**
   * Reads job ids only (no job data), page by page per state. A job that changes state between
   * two pages may be missed; the caller then enqueues it again, which the job id makes harmless.
   */
  async scheduled(deliveryIds: readonly string[]): Promise<Set<string>> {
    const wanted = new Set(deliveryIds);
    const found = new Set<string>();
    if (wanted.size === 0) return found;
    const queue = this.#open();
    for (const state of PENDING) {
      for (let start = 0; ; start += PAGE) {
        const ids = await queue.getRanges([state], start, start + PAGE - 1, true);
        for (const jobId of ids) {
          const deliveryId = deliveryIdOf(jobId);
          if (deliveryId !== undefined && wanted.has(deliveryId)) found.add(deliveryId);
        }
        if (ids.length < PAGE) break;
      }
    }
    return found;
  }

  async close(): Promise<void> {
    await this.#queue?.close();
    await this.#connection?.quit().catch(() => this.#connection?.disconnect());
  }

  #open(): Queue<DeliveryJobData> {
    if (!this.#queue) {
      this.#connection = this.#connect();
      this.#queue = new Queue<DeliveryJobData>(DELIVERY_QUEUE, {
        connection: this.#connection,
        prefix: this.#prefix,
        ...(this.#telemetry ? { telemetry: this.#telemetry } : {}),
      });
    }
    return this.#queue;
  }
}
