/**
 * Where the notifications entities deliberately differ from the migrated schema, as statements
 * MikroORM's schema generator would emit to make the database match the entities. Each `pattern`
 * matches one such statement; `tests/integration/shared/entity-schema.test.ts` tolerates exactly
 * these and fails on any other difference.
 */
export const schemaDifferences: ReadonlyArray<{ table: string; pattern: RegExp; reason: string }> =
  [
    {
      table: 'notifications',
      pattern: /^alter table "notifications" drop constraint "notifications_user_id_fkey"$/,
      reason:
        "user_id references identity's users; modules reach each other only through their index, so the entity keeps the id and the migration keeps the foreign key",
    },
    {
      table: 'notification_sequences',
      pattern:
        /^alter table "notification_sequences" drop constraint "notification_sequences_user_id_fkey"$/,
      reason:
        "user_id references identity's users; modules reach each other only through their index, so the entity keeps the id and the migration keeps the foreign key",
    },
  ];
