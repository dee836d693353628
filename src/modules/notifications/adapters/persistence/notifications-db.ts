import type { EntityManager } from '@mikro-orm/postgresql';
import type { InferKyselyDB } from '@mikro-orm/sql';
import type { IdentityTables } from '../../../identity/index.ts';
import type { OutboxEventRecord } from '../../../tasks/index.ts';
import type { NotificationsTables } from './notifications.entities.ts';

/**
 * The notifications tables, plus what this module reads of others: the tasks module's outbox
 * (the relay claims its events) and identity's `users` (sequences are drawn only for users that
 * exist).
 */
export type NotificationsDb = NotificationsTables &
  InferKyselyDB<typeof OutboxEventRecord> &
  Pick<IdentityTables, 'users'>;

/**
 * Kysely over those tables, typed from the entities (a misspelt column or a wrong type fails the
 * type check) and bound to the current transaction, if any. `convertValues` has the results
 * converted as the entities declare them (timestamps as `Date`s).
 */
export function notificationsDb(em: EntityManager) {
  return em.getKysely<NotificationsDb>({ convertValues: true });
}
