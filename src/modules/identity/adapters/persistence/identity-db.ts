import type { EntityManager } from '@mikro-orm/postgresql';
import type { IdentityTables } from './identity.entities.ts';

export type IdentityDb = IdentityTables;

/**
 * Kysely over the identity tables, typed from the entities (a misspelt column or a wrong type
 * fails the type check) and bound to the current transaction, if any. `convertValues` has the
 * results converted as the entities declare them (timestamps as `Date`s).
 */
export function identityDb(em: EntityManager) {
  return em.getKysely<IdentityDb>({ convertValues: true });
}
