import { ResultAsync } from 'neverthrow';
import type { NotificationsPorts, PendingReminder } from './ports.ts';

export interface ReconcileRemindersInput {
  /** Reminders due within this window get their job (re)created; later ones at a later run. */
  horizonMs: number;
  /** Reminders read per query. */
  pageSize: number;
}

type Ports = Pick<NotificationsPorts, 'reminderStates' | 'reminderJobs' | 'clock'>;

/**
 * PostgreSQL knows every pending reminder; Redis may have lost its job (flushed, failed over, a
 * schedule call that failed after the relay's commit). Re-schedules each pending reminder due
 * soon; scheduling is idempotent, and one whose time has passed fires at once (late, once).
 */
export class ReconcileReminders {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: ReconcileRemindersInput): ResultAsync<{ scheduled: number }, never> {
    return ResultAsync.fromSafePromise(this.reconcile(input));
  }

  private async reconcile(input: ReconcileRemindersInput): Promise<{ scheduled: number }> {
    const until = new Date(this.ports.clock.now().getTime() + input.horizonMs);
    let scheduled = 0;
    let after: PendingReminder | undefined;
    for (;;) {
      const page = await this.ports.reminderStates.pending(until, input.pageSize, after);
      for (const { taskId, reminderAt } of page) {
        await this.ports.reminderJobs.schedule(taskId, reminderAt);
      }
      scheduled += page.length;
      after = page.at(-1);
      if (page.length < input.pageSize) return { scheduled };
    }
  }
}
