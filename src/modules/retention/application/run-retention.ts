import { okAsync, ResultAsync } from 'neverthrow';
import {
  RETENTION_TABLES,
  type RetentionPorts,
  type RetentionStore,
  type RetentionTable,
} from './ports.ts';

/**
 * Batches of one kind per run, so a run over a large backlog stays bounded in time (and in lock
 * holding); what is left waits for the next run.
 */
export const MAX_BATCHES_PER_RUN = 100;

const DAY_MS = 86_400_000;

export interface RetentionOutcome {
  rows: Record<RetentionTable, number>;
  blobs: number;
  /** Blobs that could not be deleted; their rows stay for the next run. */
  blobFailures: number;
}

/**
 * Deletes what is past its retention, in bounded batches: processed outbox events, rotated
 * refresh tokens outside the reuse window, ended sessions, spent one-time tokens, read
 * notifications, finished webhook deliveries, and tasks deleted long ago with their attachments, blobs first (a row whose blob
 * could not be deleted stays, so no blob is ever left without the row that finds it).
 */
export class RunRetention {
  private readonly ports: RetentionPorts;

  constructor(ports: RetentionPorts) {
    this.ports = ports;
  }

  execute(): ResultAsync<RetentionOutcome, never> {
    return ResultAsync.fromSafePromise(this.run()).andThen((outcome) => okAsync(outcome));
  }

  private async run(): Promise<RetentionOutcome> {
    const { store, periods, clock } = this.ports;
    const now = clock.now().getTime();
    const before = (days: number) => new Date(now - days * DAY_MS);
    const rows = Object.fromEntries(RETENTION_TABLES.map((table) => [table, 0])) as Record<
      RetentionTable,
      number
    >;
    const sweeps: Array<[RetentionTable, (limit: number) => Promise<number>]> = [
      [
        'outbox_events',
        (limit) => store.deleteProcessedOutboxEvents(before(periods.processedOutboxDays), limit),
      ],
      [
        'refresh_tokens',
        (limit) => store.deleteRotatedRefreshTokens(before(periods.rotatedRefreshTokenDays), limit),
      ],
      ['sessions', (limit) => store.deleteEndedSessions(before(periods.endedSessionDays), limit)],
      [
        'one_time_tokens',
        (limit) => store.deleteSpentOneTimeTokens(before(periods.spentOneTimeTokenDays), limit),
      ],
      [
        'notifications',
        (limit) => store.deleteReadNotifications(before(periods.readNotificationDays), limit),
      ],
      [
        'webhook_deliveries',
        (limit) =>
          store.deleteFinishedWebhookDeliveries(before(periods.finishedWebhookDeliveryDays), limit),
      ],
    ];
    for (const [table, sweep] of sweeps) rows[table] = await this.inBatches(sweep);

    const purged = await this.purgeAttachments(store, before(periods.deletedTaskDays));
    rows.attachments = purged.rows;
    rows.tasks = await this.inBatches((limit) =>
      store.deleteTasksDeletedBefore(before(periods.deletedTaskDays), limit),
    );
    return { rows, blobs: purged.blobs, blobFailures: purged.failures };
  }

  private async inBatches(sweep: (limit: number) => Promise<number>): Promise<number> {
    const { batchSize } = this.ports;
    let removed = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
      const n = await sweep(batchSize);
      removed += n;
      if (n < batchSize) break;
    }
    return removed;
  }

  private async purgeAttachments(
    store: RetentionStore,
    before: Date,
  ): Promise<{ rows: number; blobs: number; failures: number }> {
    const { batchSize, blobs, failures } = this.ports;
    const total = { rows: 0, blobs: 0, failures: 0 };
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
      const attachments = await store.attachmentsOfTasksDeletedBefore(before, batchSize);
      const gone: string[] = [];
      for (const attachment of attachments) {
        try {
          await blobs.delete(attachment.storageKey);
          gone.push(attachment.id);
        } catch (error) {
          total.failures += 1;
          failures.report(error, { operation: 'retention.delete_blob' });
        }
      }
      total.blobs += gone.length;
      if (gone.length > 0) total.rows += await store.deleteAttachments(gone);
      // A batch whose blobs all failed would come back unchanged: leave it to the next run.
      if (attachments.length < batchSize || gone.length === 0) break;
    }
    return total;
  }
}
