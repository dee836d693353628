/** The notifications module as other modules see it: what a notification can be about. */
export { NOTIFICATION_TYPES, type NotificationType } from './domain/notification.ts';
