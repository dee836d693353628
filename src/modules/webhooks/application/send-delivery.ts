import { ok, ResultAsync, type Result } from 'neverthrow';
import { attemptInSeries, clipError, type Delivery } from '../domain/delivery.ts';
import {
  DISABLE_AFTER_FAILED_DELIVERIES,
  PING_TYPE,
  signingSecrets,
  type Webhook,
} from '../domain/webhook.ts';
import type { AttemptRecord, SendOutcome, WebhooksPorts } from './ports.ts';
import { enqueueNext } from './support/enqueue.ts';

export interface SendDeliveryInput {
  deliveryId: string;
  /** The attempt the job was queued for; a job for any other than the next one is stale. */
  attempt: number;
}

export type SendDeliveryOutput =
  | { type: 'succeeded'; statusCode: number }
  /** Failed this time; the next attempt is queued for `nextAttemptAt`. */
  | { type: 'retrying'; nextAttemptAt: Date }
  /** Given up: attempts used up, or nothing may be sent (reason in `last_error`). */
  | { type: 'failed'; error: string; disabledWebhook: boolean }
  /**
   * Every slot of the endpoint was busy: nothing sent, no attempt counted; the job is to run
   * again after `retryInMs` (the queue's consumer reschedules the job it is running).
   */
  | { type: 'deferred'; retryInMs: number }
  /** Nothing to do: the delivery is gone, done, or already past this attempt. */
  | { type: 'stale' };

type Ports = Pick<
  WebhooksPorts,
  | 'webhooks'
  | 'deliveries'
  | 'sender'
  | 'queue'
  | 'slots'
  | 'retrySchedule'
  | 'audience'
  | 'alerts'
  | 'settings'
  | 'clock'
  | 'transactions'
  | 'failures'
>;

/**
 * The delivery worker's job: one attempt at one delivery. Re-reads the delivery and its webhook,
 * re-checks that the owner may still see what it reports, sends it signed with every valid
 * secret, and records the outcome: succeeded, the next attempt per the retry schedule, or failed.
 * A receiver whose deliveries keep failing is disabled, and its owner told, in the transaction
 * that records the failure.
 */
export class SendDelivery {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: SendDeliveryInput): ResultAsync<SendDeliveryOutput, never> {
    return new ResultAsync(this.send(input));
  }

  private async send(input: SendDeliveryInput): Promise<Result<SendDeliveryOutput, never>> {
    const { ports } = this;
    const delivery = await ports.deliveries.find(input.deliveryId);
    if (!delivery || delivery.status !== 'pending' || delivery.attempts + 1 !== input.attempt) {
      return ok({ type: 'stale' });
    }
    const webhook = await ports.webhooks.findById(delivery.webhookId);
    if (!webhook) return ok({ type: 'stale' });
    const refusal = await this.refusal(webhook, delivery);
    if (refusal !== undefined) return ok(await this.giveUp(delivery, refusal));
    const release = await ports.slots.acquire(webhook.id);
    if (!release) return ok({ type: 'deferred', retryInMs: ports.settings.busyRetryMs });
    let outcome: SendOutcome;
    const at = ports.clock.now();
    try {
      outcome = await ports.sender.send({
        url: webhook.url,
        messageId: delivery.id,
        timestamp: at,
        body: JSON.stringify(delivery.payload),
        secrets: signingSecrets(webhook, at),
      });
    } finally {
      await release().catch((error: unknown) =>
        ports.failures.report(error, { operation: 'webhooks.release-slot' }),
      );
    }
    return ok(await this.record(webhook, delivery, input.attempt, at, outcome));
  }

  /** Why nothing may be sent for this delivery now, if so. */
  private async refusal(webhook: Webhook, delivery: Delivery): Promise<string | undefined> {
    if (!webhook.active) {
      return webhook.disabledReason === null
        ? 'webhook is inactive'
        : `webhook is disabled: ${webhook.disabledReason}`;
    }
    if (delivery.type === PING_TYPE) return undefined;
    const reported = delivery.payload.data;
    const entitled = await this.ports.audience.stillEntitled(webhook.userId, {
      type: delivery.type,
      taskId: reported.task_id,
      projectId: reported.project_id,
      actorId: reported.actor_id,
      data: reported.data,
    });
    if (entitled) return undefined;
    return reported.task_id === null
      ? 'the webhook owner is no longer a member of this project'
      : 'the webhook owner can no longer see this task';
  }

  private async giveUp(delivery: Delivery, error: string): Promise<SendDeliveryOutput> {
    const recorded = await this.ports.deliveries.fail(
      delivery.id,
      clipError(error),
      this.ports.clock.now(),
    );
    return recorded
      ? { type: 'failed', error: clipError(error), disabledWebhook: false }
      : { type: 'stale' };
  }

  private async record(
    webhook: Webhook,
    delivery: Delivery,
    attempt: number,
    at: Date,
    outcome: SendOutcome,
  ): Promise<SendDeliveryOutput> {
    const { ports } = this;
    const common = {
      lastAttemptAt: at,
      lastStatusCode: 'statusCode' in outcome ? outcome.statusCode : null,
      durationMs: 'durationMs' in outcome ? outcome.durationMs : null,
    };
    if (outcome.kind === 'delivered') {
      await ports.transactions.run(async () => {
        const recorded = await ports.deliveries.recordAttempt(delivery.id, attempt, {
          ...common,
          status: 'succeeded',
          lastError: null,
          nextAttemptAt: null,
        });
        if (recorded) await ports.webhooks.resetFailures(webhook.id);
      });
      return { type: 'succeeded', statusCode: outcome.statusCode };
    }
    const error = clipError(outcome.error);
    const delayMs = ports.retrySchedule(attemptInSeries(delivery) + 1);
    if (delayMs !== undefined) {
      const nextAttemptAt = new Date(at.getTime() + delayMs);
      const retry: AttemptRecord = {
        ...common,
        status: 'pending',
        lastError: error,
        nextAttemptAt,
      };
      if (await ports.deliveries.recordAttempt(delivery.id, attempt, retry)) {
        await enqueueNext(ports, [{ ...delivery, attempts: attempt, nextAttemptAt }]);
      }
      return { type: 'retrying', nextAttemptAt };
    }
    const failed: AttemptRecord = {
      ...common,
      status: 'failed',
      lastError: error,
      nextAttemptAt: null,
    };
    let announce: (() => Promise<void>) | undefined;
    await ports.transactions.run(async () => {
      if (!(await ports.deliveries.recordAttempt(delivery.id, attempt, failed))) return;
      const inARow = await ports.webhooks.countFailedDelivery(webhook.id);
      if (inARow < DISABLE_AFTER_FAILED_DELIVERIES) return;
      const reason = `${inARow} deliveries in a row failed after every attempt; last error: ${error}`;
      if (!(await ports.webhooks.disable(webhook.id, clipError(reason), at))) return;
      announce = await ports.alerts.webhookDisabled({
        userId: webhook.userId,
        webhookId: webhook.id,
        url: webhook.url,
        reason: clipError(reason),
        at,
      });
    });
    if (announce) {
      await announce().catch((failure: unknown) =>
        ports.failures.report(failure, { operation: 'webhooks.announce-disabled' }),
      );
    }
    return { type: 'failed', error, disabledWebhook: announce !== undefined };
  }
}
