/** The notifications module as other modules see it: what a notification can be about. */
export { NOTIFICATION_TYPES, type NotificationType } from './domain/notification.ts';
/** The notifications tables' row types, for typed queries of other modules (no values). */
export type { NotificationsTables } from './adapters/persistence/notifications.entities.ts';
