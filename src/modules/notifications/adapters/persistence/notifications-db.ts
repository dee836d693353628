import type { EntityManager } from '@mikro-orm/postgresql';
import type { IdentityTables } from '../../../identity/index.ts';
import type { TasksTables } from '../../../tasks/index.ts';
import type { OnTheWireDb } from '../../../../shared/infra/typed-statements.ts';
import type { NotificationsTables } from './notifications.entities.ts';

/**
 * The notifications tables, plus what this module reads of others: the tasks module's outbox
 * (the relay claims its events) and identity's `users` (sequences are drawn only for users that
 * exist).
 */
export type NotificationsDb = NotificationsTables &
  Pick<TasksTables, 'outbox_events'> &
  Pick<IdentityTables, 'users'>;

/**
 * Kysely over those tables, typed from the entities (a misspelt column or a wrong type fails the
 * type check) and bound to the current transaction, if any. `convertValues` has the results
 * converted as the entities declare them (timestamps as `Date`s).
 */
export function notificationsDb(em: EntityManager) {
  return em.getKysely<NotificationsDb>({ convertValues: true });
}

/**
 * The same, without the converting plugin: timestamps read as strings (typed so). For the hot
 * statements — the inbox pages and the outbox claim — where the plugin's cost shows.
 */
export function notificationsWireDb(em: EntityManager) {
  return em.getKysely<OnTheWireDb<NotificationsDb>>();
}
