/**
 * A deliberate difference between a module's entities and the migrated schema: `pattern` matches
 * the statement MikroORM's schema generator would emit to make the database match the entities
 * (without its trailing semicolon). Each module lists its own in
 * `adapters/persistence/schema-differences.ts`; `tests/integration/shared/entity-schema.test.ts`
 * tolerates exactly these and fails on any other difference, and on a listed one that no longer
 * occurs.
 */
export interface SchemaDifference {
  table: string;
  pattern: RegExp;
  reason: string;
}

/**
 * A foreign key to another module's table: declaring it as a relation would import that module's
 * entities, and modules meet only through their index, so the migration keeps the key alone.
 */
export const foreignKeyToOtherModule = (
  table: string,
  column: string,
  target: string,
): SchemaDifference => ({
  table,
  pattern: new RegExp(`^alter table "${table}" drop constraint "${table}_${column}_fkey"$`),
  reason:
    `${table}.${column} references ${target} in another module; a relation would import that ` +
    "module's entities, and modules meet only through their index, so the migration keeps the key.",
});
