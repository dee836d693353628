import {
  foreignKeyToOtherModule,
  type SchemaDifference,
} from '../../../../shared/infra/schema-difference.ts';

/** Where the notifications entities differ from the migrated schema on purpose. */
export const notificationsSchemaDifferences: readonly SchemaDifference[] = [
  foreignKeyToOtherModule('notifications', 'user_id', 'users'),
  foreignKeyToOtherModule('notification_sequences', 'user_id', 'users'),
];
