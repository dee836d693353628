import { Counter, type Registry } from 'prom-client';
import type { RetentionOutcome } from '../../application/run-retention.ts';

/** What the retention job and the upload sweep removed, for dashboards and alerts. */
export function createRetentionMetrics(registry: Registry) {
  const rows = new Counter({
    name: 'retention_rows_removed_total',
    help: 'Rows deleted by the retention job, by table.',
    labelNames: ['table'] as const,
    registers: [registry],
  });
  const blobs = new Counter({
    name: 'retention_blobs_removed_total',
    help: 'Attachment blobs deleted by the retention job (tasks deleted past their retention).',
    registers: [registry],
  });
  const blobFailures = new Counter({
    name: 'retention_blob_failures_total',
    help: 'Attachment blobs the retention job could not delete (retried at the next run).',
    registers: [registry],
  });
  const tempFiles = new Counter({
    name: 'retention_stale_uploads_removed_total',
    help: 'Temporary upload files left by interrupted uploads and swept.',
    registers: [registry],
  });
  return {
    ran(outcome: RetentionOutcome): void {
      for (const [table, n] of Object.entries(outcome.rows)) rows.inc({ table }, n);
      blobs.inc(outcome.blobs);
      blobFailures.inc(outcome.blobFailures);
    },
    swept(files: number): void {
      tempFiles.inc(files);
    },
  };
}
