import type {
  Notification,
  NotificationData,
  NotificationType,
} from '../../domain/notification.ts';

/** The columns every notification read selects. */
export const NOTIFICATION_COLUMNS =
  'id, user_id, seq, type, task_id, actor_id, data, read_at, created_at';

export interface NotificationRow {
  id: string;
  user_id: string;
  /** `bigint` arrives as a string. */
  seq: string | number;
  type: string;
  task_id: string | null;
  actor_id: string | null;
  data: NotificationData;
  read_at: Date | string | null;
  created_at: Date | string;
}

const date = (value: Date | string) => (value instanceof Date ? value : new Date(value));

export function toNotification(row: NotificationRow): Notification {
  // The database's CHECK admits only the known types, and each row's data was written for its type.
  return {
    id: row.id,
    userId: row.user_id,
    seq: Number(row.seq),
    type: row.type as NotificationType,
    taskId: row.task_id,
    actorId: row.actor_id,
    data: row.data,
    readAt: row.read_at === null ? null : date(row.read_at),
    createdAt: date(row.created_at),
  } as Notification;
}
