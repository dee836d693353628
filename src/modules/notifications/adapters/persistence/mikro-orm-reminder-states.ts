import type { EntityManager } from '@mikro-orm/postgresql';
import type {
  PendingReminder,
  ReminderChange,
  ReminderState,
  ReminderStates,
} from '../../application/ports.ts';
import { notificationsDb } from './notifications-db.ts';

/** `task_reminders`: one row per task. */
export class MikroOrmReminderStates implements ReminderStates {
  private readonly em: EntityManager;

  constructor(em: EntityManager) {
    this.em = em;
  }

  /**
   * A change older than the stored one is ignored (two relays may process a task's events out of
   * order); a different time makes the reminder pending again. Rows go in task-id order, a stable
   * lock order.
   */
  async record(changes: readonly ReminderChange[]): Promise<void> {
    if (changes.length === 0) return;
    const rows = changes
      .map((change) => ({
        task_id: change.taskId,
        reminder_at: change.reminderAt,
        recipients: [...change.recipients],
        changed_at: change.changedAt,
        fired_at: null,
      }))
      .sort((a, b) => (a.task_id < b.task_id ? -1 : a.task_id > b.task_id ? 1 : 0));
    await notificationsDb(this.em)
      .insertInto('task_reminders')
      .values(rows)
      .onConflict((conflict) =>
        conflict
          .column('task_id')
          .doUpdateSet((eb) => ({
            reminder_at: eb.ref('excluded.reminder_at'),
            recipients: eb.ref('excluded.recipients'),
            changed_at: eb.ref('excluded.changed_at'),
            fired_at: eb
              .case()
              .when(
                'task_reminders.reminder_at',
                'is not distinct from',
                eb.ref('excluded.reminder_at'),
              )
              .then(eb.ref('task_reminders.fired_at'))
              .end(),
          }))
          .where('task_reminders.changed_at', '<=', (eb) => eb.ref('excluded.changed_at')),
      )
      .execute();
  }

  async find(taskIds: readonly string[]): Promise<ReminderState[]> {
    if (taskIds.length === 0) return [];
    const rows = await notificationsDb(this.em)
      .selectFrom('task_reminders')
      .select(['task_id', 'reminder_at', 'recipients', 'fired_at'])
      .where((eb) => eb('task_id', '=', eb.fn.any(eb.val([...taskIds]))))
      .execute();
    return rows.map((row) => ({
      taskId: row.task_id,
      reminderAt: row.reminder_at,
      recipients: row.recipients,
      firedAt: row.fired_at,
    }));
  }

  async markFired(taskId: string, reminderAt: Date, at: Date): Promise<void> {
    await notificationsDb(this.em)
      .updateTable('task_reminders')
      .set({ fired_at: at })
      .where('task_id', '=', taskId)
      .where('reminder_at', '=', reminderAt)
      .where('fired_at', 'is', null)
      .execute();
  }

  async pending(until: Date, limit: number, after?: PendingReminder): Promise<PendingReminder[]> {
    const rows = await notificationsDb(this.em)
      .selectFrom('task_reminders')
      .select(['task_id', 'reminder_at'])
      .where('reminder_at', 'is not', null)
      .where('fired_at', 'is', null)
      .where('reminder_at', '<=', until)
      .$if(after !== undefined, (qb) =>
        qb.where((eb) =>
          eb(
            eb.refTuple('reminder_at', 'task_id'),
            '>',
            eb.tuple(after!.reminderAt, after!.taskId),
          ),
        ),
      )
      .orderBy('reminder_at')
      .orderBy('task_id')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ taskId: row.task_id, reminderAt: row.reminder_at! }));
  }
}
