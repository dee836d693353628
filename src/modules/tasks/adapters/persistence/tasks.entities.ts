import { defineEntity, p, type Opt } from '@mikro-orm/core';
import type { InferKyselyDB } from '@mikro-orm/postgresql';
import {
  ProjectInvitationRecord,
  ProjectMemberRecord,
  ProjectRecord,
} from './projects.entities.ts';

/**
 * The tasks tables as the migrations create them: columns, generated columns, checks, indexes and
 * foreign keys inside the module. The schema generator finds no difference against a migrated
 * database except those listed (with their reasons) in `schema-differences.ts`. Queries are typed
 * from these definitions (`TasksDb`), so a misspelt column fails the type check.
 */

const live = 'deleted_at is null';
// Generated columns are typed `Opt`: the database computes them, so no insert supplies them.
/**
 * Per side (owner, assignee, project) and per sort: a partial index over live rows ending in `id`.
 */
const sortIndexes = (['owner', 'assignee', 'project'] as const).flatMap((side) =>
  (
    [
      ['created', 'created_at'],
      ['updated', 'updated_at'],
      ['due_asc', 'due_asc'],
      ['due_desc', 'due_desc'],
      ['priority', 'priority_rank'],
      ['title', 'title'],
    ] as const
  ).map(([name, column]) => ({
    name: `tasks_${side}_${name}`,
    expression: `create index "tasks_${side}_${name}" on "tasks" ("${side}_id", "${column}", "id") where ${live}`,
  })),
);

export const TaskRecord = defineEntity({
  name: 'TaskRecord',
  tableName: 'tasks',
  properties: {
    id: p.uuid().primary(),
    projectId: p
      .manyToOne(ProjectRecord)
      .mapToPk()
      .fieldName('project_id')
      .foreignKeyName('tasks_project_id_fkey')
      .deleteRule('cascade')
      .updateRule('no action'),
    ownerId: p.uuid(),
    assigneeId: p.uuid().nullable(),
    title: p.text(),
    description: p.text().nullable(),
    status: p.text(),
    priority: p.text(),
    /** The priority's place in the order, for sorting: low 0 … urgent 3. */
    priorityRank: p
      .smallint()
      .$type<Opt<number>>()
      .generated(
        `(case priority when 'low' then 0 when 'medium' then 1 when 'high' then 2 else 3 end) stored`,
      ),
    dueDate: p.datetime().columnType('timestamptz').nullable(),
    /** The due date with no date sorting last ascending (`infinity`). */
    dueAsc: p
      .datetime()
      .$type<Opt<Date>>()
      .columnType('timestamptz')
      .generated(`(coalesce(due_date, 'infinity'::timestamptz)) stored`),
    /** The due date with no date sorting last descending (`-infinity`). */
    dueDesc: p
      .datetime()
      .$type<Opt<Date>>()
      .columnType('timestamptz')
      .generated(`(coalesce(due_date, '-infinity'::timestamptz)) stored`),
    remindAt: p.datetime().columnType('timestamptz').nullable(),
    /** Lower-cased title and description, searched through a trigram index. */
    searchText: p
      .text()
      .$type<Opt<string>>()
      .generated(`(lower(((title || ' '::text) || coalesce(description, ''::text)))) stored`),
    createdAt: p.datetime().columnType('timestamptz'),
    updatedAt: p.datetime().columnType('timestamptz'),
    completedAt: p.datetime().columnType('timestamptz').nullable(),
    deletedAt: p.datetime().columnType('timestamptz').nullable(),
    version: p.integer(),
  },
  checks: [
    { name: 'tasks_status_check', expression: `status in ('pending', 'in_progress', 'completed')` },
    {
      name: 'tasks_priority_check',
      expression: `priority in ('low', 'medium', 'high', 'urgent')`,
    },
    { name: 'tasks_version_check', expression: 'version >= 1' },
  ],
  indexes: [
    ...sortIndexes,
    {
      name: 'tasks_owner_filters',
      properties: ['ownerId', 'status', 'priority', 'dueDate'],
      where: live,
    },
    {
      name: 'tasks_project_filters',
      properties: ['projectId', 'status', 'priority', 'dueDate'],
      where: live,
    },
    { name: 'tasks_deleted', properties: ['deletedAt'], where: 'deleted_at is not null' },
    // A project's live tasks: its task_count, and the soft delete of them all with the project.
    { name: 'tasks_project_live', properties: ['projectId'], where: live },
    {
      name: 'tasks_search_trgm',
      expression: `create index "tasks_search_trgm" on "tasks" using gin ("search_text" gin_trgm_ops) where ${live}`,
    },
  ],
});

export const CategoryRecord = defineEntity({
  name: 'CategoryRecord',
  tableName: 'categories',
  properties: {
    id: p.uuid().primary(),
    userId: p.uuid(),
    name: p.text(),
    nameKey: p.text(),
    color: p.text().nullable(),
    createdAt: p.datetime().columnType('timestamptz'),
  },
  checks: [{ name: 'categories_color_check', expression: `color ~ '^#[0-9A-Fa-f]{6}$'` }],
  uniques: [{ name: 'categories_user_name_key', properties: ['userId', 'nameKey'] }],
});

export const TaskCategoryRecord = defineEntity({
  name: 'TaskCategoryRecord',
  tableName: 'task_categories',
  properties: {
    taskId: p
      .manyToOne(TaskRecord)
      .primary()
      .mapToPk()
      .fieldName('task_id')
      .foreignKeyName('task_categories_task_id_fkey')
      .deleteRule('cascade')
      .updateRule('no action'),
    categoryId: p
      .manyToOne(CategoryRecord)
      .primary()
      .mapToPk()
      .fieldName('category_id')
      .foreignKeyName('task_categories_category_id_fkey')
      .deleteRule('cascade')
      .updateRule('no action'),
  },
  indexes: [{ name: 'task_categories_category', properties: ['categoryId', 'taskId'] }],
});

export const CommentRecord = defineEntity({
  name: 'CommentRecord',
  tableName: 'comments',
  properties: {
    id: p.uuid().primary(),
    taskId: p
      .manyToOne(TaskRecord)
      .mapToPk()
      .fieldName('task_id')
      .foreignKeyName('comments_task_id_fkey')
      .deleteRule('cascade')
      .updateRule('no action'),
    authorId: p.uuid(),
    body: p.text(),
    createdAt: p.datetime().columnType('timestamptz'),
    updatedAt: p.datetime().columnType('timestamptz'),
  },
  indexes: [{ name: 'comments_task_created', properties: ['taskId', 'createdAt', 'id'] }],
});

export const AttachmentRecord = defineEntity({
  name: 'AttachmentRecord',
  tableName: 'attachments',
  properties: {
    id: p.uuid().primary(),
    taskId: p
      .manyToOne(TaskRecord)
      .mapToPk()
      .fieldName('task_id')
      .foreignKeyName('attachments_task_id_fkey')
      .deleteRule('cascade')
      .updateRule('no action'),
    filename: p.text(),
    contentType: p.text(),
    sizeBytes: p.bigint('number'),
    sha256: p.text(),
    storageKey: p.text().unique('attachments_storage_key_key'),
    uploadedBy: p.uuid(),
    createdAt: p.datetime().columnType('timestamptz'),
  },
  checks: [{ name: 'attachments_size_bytes_check', expression: 'size_bytes >= 0' }],
  indexes: [
    { name: 'attachments_task_created', properties: ['taskId', 'createdAt', 'id'] },
    { name: 'attachments_uploaded_by', properties: ['uploadedBy'], include: ['sizeBytes'] },
  ],
});

export const OutboxEventRecord = defineEntity({
  name: 'OutboxEventRecord',
  tableName: 'outbox_events',
  properties: {
    id: p.uuid().primary(),
    type: p.text(),
    /** The task the event concerns; null for an event about a project alone (`project.*`). */
    taskId: p.uuid().nullable(),
    projectId: p.uuid().nullable(),
    actorId: p.uuid(),
    recipients: p.array().columnType('uuid[]'),
    payload: p.json<Record<string, unknown>>(),
    occurredAt: p.datetime().columnType('timestamptz'),
    processedAt: p.datetime().columnType('timestamptz').nullable(),
    attempts: p.integer().default(0),
    /** The writing request's trace context (W3C fields), when it was traced. */
    traceContext: p.json<Record<string, string>>().nullable(),
  },
  triggers: [
    {
      name: 'outbox_events_notify',
      timing: 'after',
      events: ['insert'],
      forEach: 'statement',
      expression:
        'create trigger outbox_events_notify after insert on outbox_events for each statement execute function outbox_events_notify()',
    },
  ],
  indexes: [
    {
      name: 'outbox_events_pending',
      properties: ['occurredAt', 'id'],
      where: 'processed_at is null',
    },
    {
      name: 'outbox_events_processed',
      properties: ['processedAt'],
      where: 'processed_at is not null',
    },
  ],
});

export const tasksEntities = [
  ProjectRecord,
  ProjectMemberRecord,
  ProjectInvitationRecord,
  TaskRecord,
  CategoryRecord,
  TaskCategoryRecord,
  CommentRecord,
  AttachmentRecord,
  OutboxEventRecord,
];

/** The tasks tables as Kysely sees them (table and column names as in the database). */
export type TasksDb = InferKyselyDB<
  | typeof ProjectRecord
  | typeof ProjectMemberRecord
  | typeof ProjectInvitationRecord
  | typeof TaskRecord
  | typeof CategoryRecord
  | typeof TaskCategoryRecord
  | typeof CommentRecord
  | typeof AttachmentRecord
  | typeof OutboxEventRecord
>;
