import type { TaskStatus } from './task-fields.ts';
import type { TaskProps } from './task.ts';
import { PROJECT_EVENT_TYPES, type ProjectEvent } from './project-events.ts';

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
  /** The task's project when the change happened. */
  projectId: string;
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

/** To the owner, the assignee and everyone who commented, except the actor. */
export type TaskStatusChanged = EventOf<
  'task.status_changed',
  { title: string; from: TaskStatus; to: TaskStatus }
>;

/** To the owner, the assignee and everyone who commented, except the author. */
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

/** Every event the tasks module writes to the outbox: its tasks' and its projects'. */
export type WorkEvent = TaskEvent | ProjectEvent;
export const WORK_EVENT_TYPES = [...TASK_EVENT_TYPES, ...PROJECT_EVENT_TYPES] as const;
export type WorkEventType = (typeof WORK_EVENT_TYPES)[number];

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
  /** Everyone who has commented on the task: a status change concerns them too. */
  commenters?: readonly string[];
}

/** The events of a change from `before` to `after`; no `before` means the task was just created. */
export function taskChangeEvents(
  before: TaskProps | undefined,
  after: TaskProps,
  context: EventContext,
): TaskEvent[] {
  const { actorId, occurredAt } = context;
  const base = { taskId: after.id, projectId: after.projectId, actorId, occurredAt };
  const { title, assigneeId } = after;
  const events: TaskEvent[] = [];
  const previousAssigneeId = before?.assigneeId ?? null;
  if (assigneeId !== null && assigneeId !== previousAssigneeId) {
    const recipients = recipientsOf('task.assigned', audienceOf('task.assigned', after), actorId);
    const payload = { title, assigneeId, previousAssigneeId };
    events.push({ ...base, type: 'task.assigned', recipients, payload });
  }
  if (before && before.status !== after.status) {
    const type = 'task.status_changed';
    const audience = audienceOf(type, after, context.commenters);
    const recipients = recipientsOf(type, audience, actorId);
    const payload = { title, from: before.status, to: after.status };
    events.push({ ...base, type, recipients, payload });
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
  task: Pick<TaskProps, 'id' | 'projectId' | 'title' | 'ownerId' | 'assigneeId'>,
  comment: { id: string; authorId: string; createdAt: Date },
  commenters: readonly string[] = [],
): TaskCommented {
  return {
    type: 'task.commented',
    taskId: task.id,
    projectId: task.projectId,
    actorId: comment.authorId,
    occurredAt: comment.createdAt,
    recipients: recipientsOf(
      'task.commented',
      audienceOf('task.commented', task, commenters),
      comment.authorId,
    ),
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
    recipients: recipientsOf(
      'task.reminder_changed',
      audienceOf('task.reminder_changed', task),
      undefined,
    ),
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

/**
 * The people a task event concerns, as the task stands after the change: the new assignee for
 * `task.assigned`; the owner (its creator), the assignee and everyone who commented for a status
 * change and a comment; the owner and the assignee for a reminder. Whether each may still see the
 * task is decided when the event is relayed.
 */
export function audienceOf(
  type: TaskEventType,
  task: Pick<TaskProps, 'ownerId' | 'assigneeId'>,
  commenters: readonly string[] = [],
): Array<string | null> {
  switch (type) {
    case 'task.assigned':
      return [task.assigneeId];
    case 'task.status_changed':
    case 'task.commented':
      return [task.ownerId, task.assigneeId, ...commenters];
    case 'task.reminder_changed':
      return [task.ownerId, task.assigneeId];
    default:
      return unknownEventType(type);
  }
}

/**
 * Who is told about a task event (README, "Notifications"): its audience, once each, and never the
 * actor, since no one is told about their own action. A reminder is no one's action: everyone in
 * the audience of a `task.reminder_changed` is reminded, whoever moved the reminder. The rule both
 * for writing an event's recipients and for relaying it.
 */
export function recipientsOf(
  type: WorkEventType,
  audience: ReadonlyArray<string | null>,
  actorId: string | undefined,
): string[] {
  const excluded = type === 'task.reminder_changed' ? undefined : actorId;
  const ids = audience.filter((id): id is string => id !== null && id !== excluded);
  return [...new Set(ids)];
}

function unknownEventType(type: never): never {
  throw new Error(`unknown task event type ${String(type)}`);
}
