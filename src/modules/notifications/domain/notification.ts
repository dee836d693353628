export const NOTIFICATION_TYPES = [
  'task.assigned',
  'task.due_soon',
  'task.status_changed',
  'task.commented',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** A task's status, as the tasks module names it. */
export type TaskStatusName = 'pending' | 'in_progress' | 'completed';

interface DataOf {
  'task.assigned': { title: string; assignee_id: string; previous_assignee_id: string | null };
  'task.due_soon': { title: string; reminder_at: string; due_date: string | null };
  'task.status_changed': { title: string; from: TaskStatusName; to: TaskStatusName };
  'task.commented': { title: string; comment_id: string };
}

/**
 * The JSON-ready details of each type, named as in the API (snake_case); every type has `title`
 * (the task's title then). Indexed by `NotificationType`, so a type added to the list without its
 * details does not compile.
 */
export type NotificationDataByType = { [T in NotificationType]: DataOf[T] };
export type NotificationData<T extends NotificationType = NotificationType> =
  NotificationDataByType[T];

/** One entry of a user's inbox, of one type: `data` is that type's details. */
export type NotificationOf<T extends NotificationType> = {
  id: string;
  userId: string;
  /**
   * The user's notifications numbered 1, 2, ... in commit order: nothing with a lower number
   * becomes visible after one with a higher number (gaps are possible, reordering is not).
   */
  seq: number;
  type: T;
  taskId: string | null;
  actorId: string | null;
  data: NotificationDataByType[T];
  readAt: Date | null;
  createdAt: Date;
};

/** One entry of a user's inbox: a union over the types, discriminated by `type`. */
export type Notification = { [T in NotificationType]: NotificationOf<T> }[NotificationType];

/**
 * What makes a notification unique: the outbox event it reports (one per event and user), or the
 * reminder time it announces (one `task.due_soon` per task, reminder time and user).
 */
export type NotificationSource =
  { type: 'event'; eventId: string } | { type: 'reminder'; reminderAt: Date };

/** A notification of one type before it is stored and numbered. */
export type NotificationDraftOf<T extends NotificationType> = {
  id: string;
  userId: string;
  type: T;
  taskId: string | null;
  actorId: string | null;
  data: NotificationDataByType[T];
  source: NotificationSource;
  createdAt: Date;
};

/** A notification before it is stored and numbered. */
export type NotificationDraft = {
  [T in NotificationType]: NotificationDraftOf<T>;
}[NotificationType];
