import type { EntityManager } from '@mikro-orm/postgresql';
import type {
  PendingReminder,
  ReminderChange,
  ReminderState,
  ReminderStates,
} from '../../application/ports.ts';

/**
 * `task_reminders`: one row per task. A change older than the stored one is ignored (two relays
 * may process a task's events out of order); a different time makes the reminder pending again.
 */
const RECORD = `
  insert into task_reminders (task_id, reminder_at, recipients, changed_at, fired_at)
  select r.task_id, r.reminder_at, array(select jsonb_array_elements_text(r.recipients))::uuid[],
         r.changed_at, null
    from jsonb_to_recordset(?::jsonb)
      as r(task_id uuid, reminder_at timestamptz, recipients jsonb, changed_at timestamptz)
   order by r.task_id
  on conflict (task_id) do update
    set reminder_at = excluded.reminder_at,
        recipients = excluded.recipients,
        changed_at = excluded.changed_at,
        fired_at = case when task_reminders.reminder_at is not distinct from excluded.reminder_at
                        then task_reminders.fired_at end
  where task_reminders.changed_at <= excluded.changed_at`;

interface ReminderRow {
  task_id: string;
  reminder_at: Date | string | null;
  recipients: string[];
  fired_at: Date | string | null;
}

const date = (value: Date | string) => (value instanceof Date ? value : new Date(value));
const uuidArray = (ids: readonly string[]) => `{${ids.join(',')}}`;

export class MikroOrmReminderStates implements ReminderStates {
  private readonly em: EntityManager;

  constructor(em: EntityManager) {
    this.em = em;
  }

  async record(changes: readonly ReminderChange[]): Promise<void> {
    if (changes.length === 0) return;
    const rows = changes.map((change) => ({
      task_id: change.taskId,
      reminder_at: change.reminderAt?.toISOString() ?? null,
      recipients: change.recipients,
      changed_at: change.changedAt.toISOString(),
    }));
    await this.em.execute(RECORD, [JSON.stringify(rows)]);
  }

  async find(taskIds: readonly string[]): Promise<ReminderState[]> {
    if (taskIds.length === 0) return [];
    const rows = await this.em.execute<ReminderRow[]>(
      `select task_id, reminder_at, array_to_json(recipients) as recipients, fired_at
         from task_reminders where task_id = any(?::uuid[])`,
      [uuidArray(taskIds)],
    );
    return rows.map((row) => ({
      taskId: row.task_id,
      reminderAt: row.reminder_at === null ? null : date(row.reminder_at),
      recipients: row.recipients,
      firedAt: row.fired_at === null ? null : date(row.fired_at),
    }));
  }

  async markFired(taskId: string, reminderAt: Date, at: Date): Promise<void> {
    await this.em.execute(
      `update task_reminders set fired_at = ?
        where task_id = ? and reminder_at = ? and fired_at is null`,
      [at, taskId, reminderAt],
    );
  }

  async pending(until: Date, limit: number, after?: PendingReminder): Promise<PendingReminder[]> {
    const params: unknown[] = [until];
    let keyset = '';
    if (after) {
      keyset = 'and (reminder_at, task_id) > (?, ?)';
      params.push(after.reminderAt, after.taskId);
    }
    params.push(limit);
    const rows = await this.em.execute<Array<{ task_id: string; reminder_at: Date | string }>>(
      `select task_id, reminder_at from task_reminders
        where reminder_at is not null and fired_at is null and reminder_at <= ? ${keyset}
        order by reminder_at, task_id limit ?`,
      params,
    );
    return rows.map((row) => ({ taskId: row.task_id, reminderAt: date(row.reminder_at) }));
  }
}
