/** The notifications module as other modules see it: its tables' row types, for typed queries (no values). */
export type { NotificationsTables } from './adapters/persistence/notifications.entities.ts';
