import {
  foreignKeyToOtherModule,
  type SchemaDifference,
} from '../../../../shared/infra/schema-difference.ts';

/** Where the webhooks entities differ from the migrated schema on purpose. */
export const webhooksSchemaDifferences: readonly SchemaDifference[] = [
  foreignKeyToOtherModule('webhooks', 'user_id', 'users'),
  foreignKeyToOtherModule('webhooks', 'project_id', 'projects'),
];
