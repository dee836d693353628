import { err, ok, type Result } from 'neverthrow';

export const NOTIFICATION_TYPES = [
  'task.assigned',
  'task.due_soon',
  'task.status_changed',
  'task.commented',
  'project.invited',
  'project.member_added',
  'project.member_removed',
  'webhook.disabled',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** The roles an invitation or a membership may give, as the tasks module names them. */
const GRANTED_ROLE_NAMES = ['viewer', 'editor', 'admin'] as const;
export type GrantedRoleName = (typeof GRANTED_ROLE_NAMES)[number];

/** A task's status, as the tasks module names it. */
const TASK_STATUS_NAMES = ['pending', 'in_progress', 'completed'] as const;
export type TaskStatusName = (typeof TASK_STATUS_NAMES)[number];

interface DataOf {
  'task.assigned': { title: string; assignee_id: string; previous_assignee_id: string | null };
  'task.due_soon': { title: string; reminder_at: string; due_date: string | null };
  'task.status_changed': { title: string; from: TaskStatusName; to: TaskStatusName };
  'task.commented': { title: string; comment_id: string };
  'project.invited': {
    project_id: string;
    project_name: string;
    role: GrantedRoleName;
    invitation_id: string;
  };
  'project.member_added': {
    project_id: string;
    project_name: string;
    user_id: string;
    role: GrantedRoleName;
  };
  'project.member_removed': { project_id: string; project_name: string; user_id: string };
  /** To the webhook's owner, when the service switched off a receiver that kept failing. */
  'webhook.disabled': { webhook_id: string; url: string; reason: string };
}

/**
 * The JSON-ready details of each type, named as in the API (snake_case); every task type has
 * `title` (the task's title then), every project type the project's id and name. Indexed by `NotificationType`, so a type added to the list without its
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
 * reminder time it announces (one `task.due_soon` per task, reminder time and user). An alert
 * (`webhook.disabled`) is stored once by the transaction of the change it reports, so it needs no
 * key of its own.
 */
export type NotificationSource =
  { type: 'event'; eventId: string } | { type: 'reminder'; reminderAt: Date } | { type: 'alert' };

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

/** Whether `value` is one of the notification types this version knows. */
export function isNotificationType(value: unknown): value is NotificationType {
  return NOTIFICATION_TYPES.some((known) => known === value);
}

/** A notification as read back (a stored row, a live message): type and data not yet checked. */
export type UncheckedNotification = Omit<Notification, 'type' | 'data'> & {
  type: unknown;
  data: unknown;
};

type Fields = Record<string, unknown>;
const isFields = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isStringOrNull = (value: unknown): value is string | null =>
  value === null || typeof value === 'string';
const isStatus = (value: unknown): value is TaskStatusName =>
  TASK_STATUS_NAMES.some((status) => status === value);
const isGrantedRole = (value: unknown): value is GrantedRoleName =>
  GRANTED_ROLE_NAMES.some((role) => role === value);
const isProjectData = (data: unknown): data is Fields =>
  isFields(data) && isString(data.project_id) && isString(data.project_name);

/** Whether data has the fields of its type; a type added to the list without one does not compile. */
const IS_DATA_OF: { [T in NotificationType]: (data: unknown) => data is NotificationData<T> } = {
  'task.assigned': (data): data is NotificationData<'task.assigned'> =>
    isFields(data) &&
    isString(data.title) &&
    isString(data.assignee_id) &&
    isStringOrNull(data.previous_assignee_id),
  'task.due_soon': (data): data is NotificationData<'task.due_soon'> =>
    isFields(data) &&
    isString(data.title) &&
    isString(data.reminder_at) &&
    isStringOrNull(data.due_date),
  'task.status_changed': (data): data is NotificationData<'task.status_changed'> =>
    isFields(data) && isString(data.title) && isStatus(data.from) && isStatus(data.to),
  'task.commented': (data): data is NotificationData<'task.commented'> =>
    isFields(data) && isString(data.title) && isString(data.comment_id),
  'project.invited': (data): data is NotificationData<'project.invited'> =>
    isProjectData(data) && isGrantedRole(data.role) && isString(data.invitation_id),
  'project.member_added': (data): data is NotificationData<'project.member_added'> =>
    isProjectData(data) && isString(data.user_id) && isGrantedRole(data.role),
  'project.member_removed': (data): data is NotificationData<'project.member_removed'> =>
    isProjectData(data) && isString(data.user_id),
  'webhook.disabled': (data): data is NotificationData<'webhook.disabled'> =>
    isFields(data) && isString(data.webhook_id) && isString(data.url) && isString(data.reason),
};

/**
 * The notification read back, built type by type; or why there is none: a type this version does
 * not know, or data that is not its type's. What to do then is the reader's call.
 */
export function checkNotification(read: UncheckedNotification): Result<Notification, string> {
  const { type, data, ...common } = read;
  if (!isNotificationType(type)) return err(`unknown notification type ${JSON.stringify(type)}`);
  const mismatch = () => err(`notification ${read.id}: data not of type ${type}`);
  switch (type) {
    case 'task.assigned':
      return IS_DATA_OF[type](data) ? ok({ ...common, type, data }) : mismatch();
    case 'task.due_soon':
      return IS_DATA_OF[type](data) ? ok({ ...common, type, data }) : mismatch();
    case 'task.status_changed':
      return IS_DATA_OF[type](data) ? ok({ ...common, type, data }) : mismatch();
    case 'task.commented':
      return IS_DATA_OF[type](data) ? ok({ ...common, type, data }) : mismatch();
    case 'project.invited':
      return IS_DATA_OF[type](data) ? ok({ ...common, type, data }) : mismatch();
    case 'project.member_added':
      return IS_DATA_OF[type](data) ? ok({ ...common, type, data }) : mismatch();
    case 'project.member_removed':
      return IS_DATA_OF[type](data) ? ok({ ...common, type, data }) : mismatch();
    case 'webhook.disabled':
      return IS_DATA_OF[type](data) ? ok({ ...common, type, data }) : mismatch();
    default:
      return unhandled(type);
  }
}

function unhandled(type: never): never {
  throw new Error(`notification type ${String(type)} has no case`);
}
