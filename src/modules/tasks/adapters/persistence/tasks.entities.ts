import { defineEntity, p } from '@mikro-orm/core';

/**
 * Row shapes of the tasks tables; the schema (generated columns, partial and trigram indexes)
 * lives in the migrations. The task list is read with hand-written SQL in the task repository.
 */
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
});

export const CommentRecord = defineEntity({
  name: 'CommentRecord',
  tableName: 'comments',
  properties: {
    id: p.uuid().primary(),
    taskId: p.uuid(),
    authorId: p.uuid(),
    body: p.text(),
    createdAt: p.datetime().columnType('timestamptz'),
    updatedAt: p.datetime().columnType('timestamptz'),
  },
});

export const AttachmentRecord = defineEntity({
  name: 'AttachmentRecord',
  tableName: 'attachments',
  properties: {
    id: p.uuid().primary(),
    taskId: p.uuid(),
    filename: p.text(),
    contentType: p.text(),
    sizeBytes: p.integer(),
    sha256: p.text(),
    storageKey: p.text(),
    uploadedBy: p.uuid(),
    createdAt: p.datetime().columnType('timestamptz'),
  },
});

export const OutboxEventRecord = defineEntity({
  name: 'OutboxEventRecord',
  tableName: 'outbox_events',
  properties: {
    id: p.uuid().primary(),
    type: p.text(),
    taskId: p.uuid(),
    actorId: p.uuid(),
    recipients: p.array().columnType('uuid[]'),
    payload: p.json<Record<string, unknown>>(),
    occurredAt: p.datetime().columnType('timestamptz'),
    processedAt: p.datetime().columnType('timestamptz').nullable(),
    attempts: p.integer(),
    /** The writing request's trace context (W3C fields), when it was traced. */
    traceContext: p.json<Record<string, string>>().nullable(),
  },
});

export const tasksEntities = [CategoryRecord, CommentRecord, AttachmentRecord, OutboxEventRecord];
