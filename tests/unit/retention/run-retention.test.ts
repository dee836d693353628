import { describe, expect, it } from 'vitest';
import type {
  RetentionPeriods,
  RetentionStore,
} from '../../../src/modules/retention/application/ports.ts';
import {
  MAX_BATCHES_PER_RUN,
  RunRetention,
} from '../../../src/modules/retention/application/run-retention.ts';
import { FixedClock } from '../../support/identity/fixed-clock.ts';
import { RecordingFailureReporter } from '../../support/identity/recording-failure-reporter.ts';

const NOW = new Date('2030-06-01T00:00:00.000Z');
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);

const PERIODS: RetentionPeriods = {
  deletedTaskDays: 30,
  processedOutboxDays: 7,
  rotatedRefreshTokenDays: 7,
  endedSessionDays: 7,
  spentOneTimeTokenDays: 7,
  readNotificationDays: 90,
  finishedWebhookDeliveryDays: 30,
};

/** Rows as timestamps of when they stopped being needed; attachments hang off deleted tasks. */
class InMemoryRetentionStore implements RetentionStore {
  outbox: Date[] = [];
  cutoffs: Record<string, Date> = {};
  tasks = new Map<string, Date>();
  attachments = new Map<string, { taskId: string; storageKey: string }>();

  private take(rows: Date[], before: Date, limit: number, name: string): number {
    this.cutoffs[name] = before;
    let removed = 0;
    for (let i = rows.length - 1; i >= 0 && removed < limit; i--) {
      if (rows[i]! < before) {
        rows.splice(i, 1);
        removed += 1;
      }
    }
    return removed;
  }

  deleteProcessedOutboxEvents = async (before: Date, limit: number) =>
    this.take(this.outbox, before, limit, 'outbox');
  deleteRotatedRefreshTokens = async (before: Date, limit: number) =>
    this.take([], before, limit, 'refresh');
  deleteEndedSessions = async (before: Date, limit: number) =>
    this.take([], before, limit, 'sessions');
  deleteSpentOneTimeTokens = async (before: Date, limit: number) =>
    this.take([], before, limit, 'tokens');
  deleteReadNotifications = async (before: Date, limit: number) =>
    this.take([], before, limit, 'notifications');
  deleteFinishedWebhookDeliveries = async (before: Date, limit: number) =>
    this.take([], before, limit, 'webhook_deliveries');

  async attachmentsOfTasksDeletedBefore(before: Date, limit: number) {
    return [...this.attachments]
      .filter(([, a]) => this.tasks.get(a.taskId)! < before)
      .slice(0, limit)
      .map(([id, a]) => ({ id, storageKey: a.storageKey }));
  }

  async deleteAttachments(ids: readonly string[]) {
    return ids.filter((id) => this.attachments.delete(id)).length;
  }

  async deleteTasksDeletedBefore(before: Date, limit: number) {
    const bare = [...this.tasks]
      .filter(
        ([id, at]) => at < before && ![...this.attachments.values()].some((a) => a.taskId === id),
      )
      .slice(0, limit);
    for (const [id] of bare) this.tasks.delete(id);
    return bare.length;
  }
}

function setup(batchSize: number, failingKeys: string[] = []) {
  const store = new InMemoryRetentionStore();
  const deleted: string[] = [];
  const failures = new RecordingFailureReporter();
  const useCase = new RunRetention({
    store,
    blobs: {
      delete: async (key) => {
        if (failingKeys.includes(key)) throw new Error('storage unavailable');
        deleted.push(key);
      },
    },
    clock: new FixedClock(NOW),
    failures,
    periods: PERIODS,
    batchSize,
  });
  return { store, deleted, failures, run: async () => (await useCase.execute())._unsafeUnwrap() };
}

describe('RunRetention', () => {
  it('measures each retention period back from now', async () => {
    const { store, run } = setup(10);
    await run();
    expect(store.cutoffs).toEqual({
      outbox: daysAgo(7),
      refresh: daysAgo(7),
      sessions: daysAgo(7),
      tokens: daysAgo(7),
      notifications: daysAgo(90),
      webhook_deliveries: daysAgo(30),
    });
  });

  it('deletes in batches of the configured size and stops after a bounded number per run', async () => {
    const { store, run } = setup(3);
    store.outbox = Array.from({ length: MAX_BATCHES_PER_RUN * 3 + 5 }, () => daysAgo(8));
    store.outbox.push(daysAgo(6));

    expect((await run()).rows.outbox_events).toBe(MAX_BATCHES_PER_RUN * 3);
    expect((await run()).rows.outbox_events).toBe(5);
    expect(store.outbox).toEqual([daysAgo(6)]);
  });

  it('deletes the blobs of long-deleted tasks before their rows, and keeps the row of a blob it could not delete', async () => {
    const { store, deleted, failures, run } = setup(2, ['key-b2']);
    store.tasks.set('a', daysAgo(31));
    store.tasks.set('b', daysAgo(31));
    store.tasks.set('c', daysAgo(29));
    store.attachments.set('a1', { taskId: 'a', storageKey: 'key-a1' });
    store.attachments.set('a2', { taskId: 'a', storageKey: 'key-a2' });
    store.attachments.set('a3', { taskId: 'a', storageKey: 'key-a3' });
    store.attachments.set('b1', { taskId: 'b', storageKey: 'key-b1' });
    store.attachments.set('b2', { taskId: 'b', storageKey: 'key-b2' });
    store.attachments.set('c1', { taskId: 'c', storageKey: 'key-c1' });

    const outcome = await run();

    expect(deleted.sort()).toEqual(['key-a1', 'key-a2', 'key-a3', 'key-b1']);
    expect(outcome).toMatchObject({
      rows: { attachments: 4, tasks: 1 },
      blobs: 4,
      blobFailures: 1,
    });
    expect([...store.attachments.keys()].sort()).toEqual(['b2', 'c1']);
    expect([...store.tasks.keys()].sort()).toEqual(['b', 'c']);
    expect(failures.reports.map((r) => r.context.operation)).toContain('retention.delete_blob');
  });
});
