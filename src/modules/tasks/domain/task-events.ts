import type { TaskStatus } from './task-fields.ts';
import type { TaskProps } from './task.ts';

export const TASK_EVENT_TYPES = [
  'task.assigned',
  'task.status_changed',
  'task.commented',
  'task.reminder_changed',
] as const;
export type TaskEventType = (typeof TASK_EVENT_TYPES)[number];

interface EventOf<Type extends TaskEventType, Payload> {
  type: Type;
  taskId: string;
  /** Who made the change. */
  actorId: string;
  occurredAt: Date;
  /** User ids to notify, resolved when the change happened (README, Notifications). */
  recipients: string[];
  /** JSON-ready: times are RFC 3339 strings. */
  payload: Payload;
}

/** To the new assignee, unless they assigned themself. */
export type TaskAssigned = EventOf<
  'task.assigned',
  { title: string; assigneeId: string; previousAssigneeId: string | null }
>;

/** To the owner and the assignee, except the actor. */
export type TaskStatusChanged = EventOf<
  'task.status_changed',
  { title: string; from: TaskStatus; to: TaskStatus }
>;

/** To the owner and the assignee, except the author. */
export type TaskCommented = EventOf<'task.commented', { title: string; commentId: string }>;

/**
 * The task's effective reminder time changed (or its due date, or who is to be reminded while a
 * reminder stands). `reminderAt` null means: no reminder any more (cleared, completed, deleted).
 * Recipients are the owner and the assignee, the actor included: `task.due_soon` is no one's action.
 */
export type TaskReminderChanged = EventOf<
  'task.reminder_changed',
  { reminderAt: string | null; dueDate: string | null }
>;

/** A row of the outbox, written in the same transaction as the change it reports. */
export type TaskEvent = TaskAssigned | TaskStatusChanged | TaskCommented | TaskReminderChanged;

type Scheduled = Pick<TaskProps, 'remindAt' | 'dueDate' | 'status' | 'deletedAt'>;

/** When `task.due_soon` is due: `remind_at`, else the due date minus the lead; none once done. */
export function effectiveReminderAt(task: Scheduled, leadMinutes: number): Date | null {
  if (task.deletedAt !== null || task.status === 'completed') return null;
  if (task.remindAt) return task.remindAt;
  if (task.dueDate) return new Date(task.dueDate.getTime() - leadMinutes * 60_000);
  return null;
}

export interface EventContext {
  actorId: string;
  occurredAt: Date;
  reminderLeadMinutes: number;
}

/** The events of a change from `before` to `after`; no `before` means the task was just created. */
export function taskChangeEvents(
  before: TaskProps | undefined,
  after: TaskProps,
  context: EventContext,
): TaskEvent[] {
  const { actorId, occurredAt } = context;
  const base = { taskId: after.id, actorId, occurredAt };
  const { title, assigneeId, ownerId } = after;
  const events: TaskEvent[] = [];
  const previousAssigneeId = before?.assigneeId ?? null;
  if (assigneeId !== null && assigneeId !== previousAssigneeId) {
    const recipients = othersThan(actorId, [assigneeId]);
    const payload = { title, assigneeId, previousAssigneeId };
    events.push({ ...base, type: 'task.assigned', recipients, payload });
  }
  if (before && before.status !== after.status) {
    const recipients = othersThan(actorId, [ownerId, assigneeId]);
    const payload = { title, from: before.status, to: after.status };
    events.push({ ...base, type: 'task.status_changed', recipients, payload });
  }
  const was = before && reminderOf(before, context.reminderLeadMinutes);
  const is = reminderOf(after, context.reminderLeadMinutes);
  if (!sameReminder(was, is)) {
    const { recipients, ...payload } = is;
    events.push({ ...base, type: 'task.reminder_changed', recipients, payload });
  }
  return events;
}

export function taskCommentedEvent(
  task: Pick<TaskProps, 'id' | 'title' | 'ownerId' | 'assigneeId'>,
  comment: { id: string; authorId: string; createdAt: Date },
): TaskCommented {
  return {
    type: 'task.commented',
    taskId: task.id,
    actorId: comment.authorId,
    occurredAt: comment.createdAt,
    recipients: othersThan(comment.authorId, [task.ownerId, task.assigneeId]),
    payload: { title: task.title, commentId: comment.id },
  };
}

interface Reminder {
  reminderAt: string | null;
  dueDate: string | null;
  recipients: string[];
}

function reminderOf(task: TaskProps, leadMinutes: number): Reminder {
  return {
    reminderAt: effectiveReminderAt(task, leadMinutes)?.toISOString() ?? null,
    dueDate: task.dueDate?.toISOString() ?? null,
    recipients: othersThan(undefined, [task.ownerId, task.assigneeId]),
  };
}

/** No reminder before and none after is no change, whatever else moved. */
function sameReminder(was: Reminder | undefined, is: Reminder): boolean {
  if (!was || was.reminderAt === null) return is.reminderAt === null;
  return (
    was.reminderAt === is.reminderAt &&
    was.dueDate === is.dueDate &&
    was.recipients.join() === is.recipients.join()
  );
}

function othersThan(actorId: string | undefined, userIds: Array<string | null>): string[] {
  const ids = userIds.filter((id): id is string => id !== null && id !== actorId);
  return [...new Set(ids)];
}
