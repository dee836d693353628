import { ok, ResultAsync, type Result } from 'neverthrow';
import { audienceOf, effectiveReminderAt, recipientsOf } from '../../tasks/index.ts';
import type { Notification } from '../domain/notification.ts';
import type { NotificationsPorts, TaskSnapshot } from './ports.ts';

export interface FireReminderInput {
  taskId: string;
}

export type FireReminderOutput =
  /** `task.due_soon` stored (or found stored already) for `reminderAt`. */
  | { type: 'fired'; reminderAt: Date; notifications: Notification[]; latenessMs: number }
  /** The reminder moved later: run again at `reminderAt`. */
  | { type: 'early'; reminderAt: Date }
  /** Nothing to remind of: deleted, completed, or no reminder time any more. */
  | { type: 'skipped' };

/** A job may run this much before its time (clock skew between machines) and still fire. */
const EARLY_TOLERANCE_MS = 1_000;

type Ports = Pick<
  NotificationsPorts,
  | 'reminderStates'
  | 'tasks'
  | 'reminders'
  | 'notifications'
  | 'live'
  | 'subscribers'
  | 'ids'
  | 'clock'
  | 'transactions'
  | 'failures'
>;

/**
 * The reminder job: re-reads the task and, if its reminder time has come, tells its owner and
 * assignee once. "Once" is a unique key on (task, reminder time, user), so a retried or
 * duplicated job stores nothing new. The task's current state decides, not the job's schedule.
 * Subscribers (webhooks) record the reminder in the same transaction, only when it stored
 * something new: a retried job finds its notifications stored and records nothing again.
 */
export class FireReminder {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: FireReminderInput): ResultAsync<FireReminderOutput, never> {
    return new ResultAsync(this.fire(input.taskId));
  }

  private async fire(taskId: string): Promise<Result<FireReminderOutput, never>> {
    const { clock, reminders, transactions, reminderStates, notifications, subscribers, ids } =
      this.ports;
    const task = await this.currentTask(taskId);
    const reminderAt = task ? effectiveReminderAt(task, reminders.leadMinutes) : null;
    if (!task || !reminderAt) return ok({ type: 'skipped' });
    const now = clock.now();
    if (reminderAt.getTime() - now.getTime() > EARLY_TOLERANCE_MS) {
      return ok({ type: 'early', reminderAt });
    }
    const data = {
      title: task.title,
      reminder_at: reminderAt.toISOString(),
      due_date: task.dueDate?.toISOString() ?? null,
    };
    const recipients = remindedOf(task);
    const { stored, dispatch } = await transactions.run(async () => {
      const created = await notifications.insertNew(
        recipients.map((userId) => ({
          id: ids.next(),
          userId,
          type: 'task.due_soon' as const,
          taskId,
          actorId: null,
          data,
          source: { type: 'reminder' as const, reminderAt },
          createdAt: now,
        })),
      );
      await reminderStates.markFired(taskId, reminderAt, now);
      const recorded =
        created.length === 0
          ? undefined
          : await subscribers.record([
              {
                id: ids.next(),
                type: 'task.due_soon',
                taskId,
                projectId: task.projectId,
                actorId: null,
                data,
                occurredAt: now,
                recipients,
              },
            ]);
      return { stored: created, dispatch: recorded };
    });
    if (stored.length > 0) {
      await this.ports.live
        .publish(stored)
        .catch((error: unknown) =>
          this.ports.failures.report(error, { operation: 'live.publish' }),
        );
    }
    await dispatch?.().catch((error: unknown) =>
      this.ports.failures.report(error, { operation: 'subscribers.dispatch' }),
    );
    return ok({
      type: 'fired',
      reminderAt,
      notifications: stored,
      latenessMs: now.getTime() - reminderAt.getTime(),
    });
  }

  /** The task as one of the people the reminder is for sees it (the owner always can). */
  private async currentTask(taskId: string): Promise<TaskSnapshot | undefined> {
    const [state] = await this.ports.reminderStates.find([taskId]);
    for (const userId of state?.recipients ?? []) {
      const task = await this.ports.tasks.visibleTo(taskId, userId);
      if (task) return task;
    }
    return undefined;
  }
}

/** Whom `task.due_soon` reaches: those a reminder change names, as the task stands now. */
function remindedOf(task: TaskSnapshot): string[] {
  const type = 'task.reminder_changed';
  return recipientsOf(type, audienceOf(type, task), undefined);
}
