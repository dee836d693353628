import type { EntityManager } from '@mikro-orm/postgresql';
import type { WebhooksTables } from './webhooks.entities.ts';

/**
 * Kysely over the webhooks tables, typed from the entities and bound to the current transaction,
 * if any; results converted as the entities declare them (timestamps as `Date`s).
 */
export function webhooksDb(em: EntityManager) {
  return em.getKysely<WebhooksTables>({ convertValues: true });
}
