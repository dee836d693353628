export const NOTIFICATION_TYPES = [
  'task.assigned',
  'task.due_soon',
  'task.status_changed',
  'task.commented',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** JSON-ready details, named as in the API (snake_case); their shape depends on `type`. */
export type NotificationData = Record<string, string | null>;

/** One entry of a user's inbox. */
export interface Notification {
  id: string;
  userId: string;
  /**
   * The user's notifications numbered 1, 2, ... in commit order: nothing with a lower number
   * becomes visible after one with a higher number (gaps are possible, reordering is not).
   */
  seq: number;
  type: NotificationType;
  taskId: string | null;
  actorId: string | null;
  data: NotificationData;
  readAt: Date | null;
  createdAt: Date;
}

/**
 * What makes a notification unique: the outbox event it reports (one per event and user), or the
 * reminder time it announces (one `task.due_soon` per task, reminder time and user).
 */
export type NotificationSource =
  { type: 'event'; eventId: string } | { type: 'reminder'; reminderAt: Date };

/** A notification before it is stored and numbered. */
export interface NotificationDraft {
  id: string;
  userId: string;
  type: NotificationType;
  taskId: string | null;
  actorId: string | null;
  data: NotificationData;
  source: NotificationSource;
  createdAt: Date;
}

/** Everyone in `userIds` but the actor, once each: no one is told about their own action. */
export function recipientsOf(userIds: readonly (string | null)[], actorId?: string): string[] {
  const ids = userIds.filter((id): id is string => id !== null && id !== actorId);
  return [...new Set(ids)];
}
