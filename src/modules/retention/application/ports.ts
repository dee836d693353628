import type { Clock } from '../../../shared/domain/clock.ts';
import type { FailureReporter } from '../../../shared/domain/failure-reporter.ts';

/** The tables the retention job removes rows from, as its metrics name them. */
export const RETENTION_TABLES = [
  'outbox_events',
  'refresh_tokens',
  'sessions',
  'one_time_tokens',
  'notifications',
  'webhook_deliveries',
  'attachments',
  'tasks',
] as const;
export type RetentionTable = (typeof RETENTION_TABLES)[number];

/** How long each kind of row is kept once it is no longer needed (the RETENTION_* settings). */
export interface RetentionPeriods {
  /** Soft-deleted tasks, with their comments, attachments and the attachments' blobs. */
  deletedTaskDays: number;
  /** Outbox events after the relay processed them. */
  processedOutboxDays: number;
  /** Rotated refresh tokens: the reuse-detection window; a replay after it is only refused. */
  rotatedRefreshTokenDays: number;
  /** Sessions after they expired or were revoked (their refresh tokens go with them). */
  endedSessionDays: number;
  /** Verification and reset tokens after they were used or expired. */
  spentOneTimeTokenDays: number;
  /** Notifications after they were read. */
  readNotificationDays: number;
  /** Webhook deliveries after they were created, once they succeeded or failed. */
  finishedWebhookDeliveryDays: number;
}

/**
 * Deletes, at most `limit` at a time, rows that stopped being needed before `before`; each method
 * resolves how many rows it removed. Every one leaves alone what may still be used: unprocessed
 * outbox events, current refresh tokens, live sessions, unused unexpired tokens, unread
 * notifications, pending deliveries, live tasks.
 */
export interface RetentionStore {
  deleteProcessedOutboxEvents(before: Date, limit: number): Promise<number>;
  deleteRotatedRefreshTokens(before: Date, limit: number): Promise<number>;
  deleteEndedSessions(before: Date, limit: number): Promise<number>;
  deleteSpentOneTimeTokens(before: Date, limit: number): Promise<number>;
  deleteReadNotifications(before: Date, limit: number): Promise<number>;
  /** Succeeded or failed deliveries created before `before` (pending ones never). */
  deleteFinishedWebhookDeliveries(before: Date, limit: number): Promise<number>;
  /** Attachments of tasks soft-deleted before `before`. */
  attachmentsOfTasksDeletedBefore(
    before: Date,
    limit: number,
  ): Promise<Array<{ id: string; storageKey: string }>>;
  deleteAttachments(ids: readonly string[]): Promise<number>;
  /** Tasks soft-deleted before `before` that have no attachment left (their blobs went first). */
  deleteTasksDeletedBefore(before: Date, limit: number): Promise<number>;
}

/** Where attachment bytes live; deleting a key that is not there is no error. */
export interface BlobStore {
  delete(key: string): Promise<void>;
}

/** A storage that spools uploads to temporary files, which a killed process leaves behind. */
export interface UploadSpool {
  /** Removes temporary upload files last written before `olderThan`; resolves how many. */
  sweepStaleUploads(olderThan: Date): Promise<number>;
}

export interface RetentionPorts {
  store: RetentionStore;
  blobs: BlobStore;
  clock: Clock;
  failures: FailureReporter;
  periods: RetentionPeriods;
  /** Rows per statement (RETENTION_BATCH_SIZE). */
  batchSize: number;
}
