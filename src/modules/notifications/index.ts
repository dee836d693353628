/** The notifications module as other modules see it: its tables' row types, for typed queries (no values). */
export type { NotificationsTables } from './adapters/persistence/notifications.entities.ts';
/** Notifications other modules store (`webhook.disabled`), and the events they may subscribe to. */
export type { StoreAlert, StoreAlertInput } from './application/store-alert.ts';
export type { SubscribedEvent } from './application/ports.ts';
export type { NotificationType } from './domain/notification.ts';
