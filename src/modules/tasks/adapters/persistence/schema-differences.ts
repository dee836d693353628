import {
  foreignKeyToOtherModule,
  type SchemaDifference,
} from '../../../../shared/infra/schema-difference.ts';

/** Where the tasks entities differ from the migrated schema on purpose. */
export const tasksSchemaDifferences: readonly SchemaDifference[] = [
  foreignKeyToOtherModule('tasks', 'owner_id', 'users'),
  foreignKeyToOtherModule('tasks', 'assignee_id', 'users'),
  foreignKeyToOtherModule('categories', 'user_id', 'users'),
  foreignKeyToOtherModule('comments', 'author_id', 'users'),
  foreignKeyToOtherModule('attachments', 'uploaded_by', 'users'),
  foreignKeyToOtherModule('projects', 'inbox_user_id', 'users'),
  foreignKeyToOtherModule('project_members', 'user_id', 'users'),
  foreignKeyToOtherModule('project_invitations', 'invited_by', 'users'),
];
