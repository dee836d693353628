import type { EntityManager } from '@mikro-orm/postgresql';
import type { Kysely } from 'kysely';
import type { TasksDb } from './tasks.entities.ts';

/**
 * Kysely over the tasks tables, typed from the entities and bound to the entity manager's
 * transaction when there is one. No converting plugin: timestamps read as strings (hot reads go
 * through `rowsOf`, whose row type says so).
 */
export function tasksDb(em: EntityManager): Kysely<TasksDb> {
  return em.getKysely<TasksDb>();
}
