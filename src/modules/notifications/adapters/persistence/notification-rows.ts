import type { Selectable } from 'kysely';
import { checkNotification, type Notification } from '../../domain/notification.ts';
import type { OnTheWireDb } from '../../../../shared/infra/typed-statements.ts';
import type { NotificationsDb } from './notifications-db.ts';

/** The columns every notification read selects. */
export const NOTIFICATION_COLUMNS = [
  'id',
  'user_id',
  'seq',
  'type',
  'task_id',
  'actor_id',
  'data',
  'read_at',
  'created_at',
] as const;

/** A row as the driver hands it over (timestamps as strings). */
export type NotificationRow = Pick<
  Selectable<OnTheWireDb<NotificationsDb>['notifications']>,
  (typeof NOTIFICATION_COLUMNS)[number]
>;

export function toNotification(row: NotificationRow): Notification {
  // The database's CHECK admits only the known types, and each row's data was written for its
  // type: a row that is neither is a fault (an internal error), not something to show or skip.
  const checked = checkNotification({
    id: row.id,
    userId: row.user_id,
    seq: Number(row.seq),
    type: row.type,
    taskId: row.task_id,
    actorId: row.actor_id,
    data: row.data,
    readAt: row.read_at === null ? null : new Date(row.read_at),
    createdAt: new Date(row.created_at),
  });
  if (checked.isErr()) throw new Error(`stored ${checked.error}`);
  return checked.value;
}
