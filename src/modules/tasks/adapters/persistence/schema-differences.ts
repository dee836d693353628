/**
 * Where the schema generator, run over `tasksEntities`, differs from the migrated database on
 * purpose. Each entry names the table, a pattern matching the statement the generator proposes,
 * and why the entities do not declare it.
 */
export interface SchemaDifference {
  table: string;
  statement: RegExp;
  reason: string;
}

const usersForeignKey = (table: string, column: string): SchemaDifference => ({
  table,
  statement: new RegExp(`^alter table "${table}" drop constraint "${table}_${column}_fkey";$`),
  reason:
    `${table}.${column} references users (identity module): a relation would import the ` +
    'identity entities, and modules meet only through their index; the migration keeps the key.',
});

export const tasksSchemaDifferences: readonly SchemaDifference[] = [
  usersForeignKey('tasks', 'owner_id'),
  usersForeignKey('tasks', 'assignee_id'),
  usersForeignKey('categories', 'user_id'),
  usersForeignKey('comments', 'author_id'),
  usersForeignKey('attachments', 'uploaded_by'),
];
