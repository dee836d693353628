import { defineEntity, p } from '@mikro-orm/core';
import type { InferKyselyDB } from '@mikro-orm/sql';
import { NOTIFICATION_TYPES, type NotificationData } from '../../domain/notification.ts';

/**
 * The notifications tables as the migrations create them. `user_id` references identity's
 * `users`; modules reach each other only through their index, so that foreign key is kept by the
 * migration and listed in `schema-differences.ts` instead of modelled as a relation here.
 * `tests/integration/shared/entity-schema.test.ts` holds these to the migrated schema.
 */
export const NotificationRecord = defineEntity({
  name: 'NotificationRecord',
  tableName: 'notifications',
  properties: {
    id: p.uuid().primary(),
    userId: p.uuid(),
    /** `bigint`: the driver hands it over as a string. */
    seq: p.bigint('string'),
    type: p.text(),
    taskId: p.uuid().nullable(),
    actorId: p.uuid().nullable(),
    data: p.json<NotificationData>(),
    sourceEventId: p.uuid().nullable(),
    reminderAt: p.datetime().columnType('timestamptz').nullable(),
    readAt: p.datetime().columnType('timestamptz').nullable(),
    createdAt: p.datetime().columnType('timestamptz'),
  },
  uniques: [
    // The inbox pages on (user_id, seq desc).
    { name: 'notifications_user_seq', properties: ['userId', 'seq'] },
    // One notification per (source outbox event, user) ...
    { name: 'notifications_source_event_user', properties: ['sourceEventId', 'userId'] },
    // ... and one `task.due_soon` per (task, reminder time, user).
    {
      name: 'notifications_due_soon_once',
      properties: ['taskId', 'reminderAt', 'userId'],
      where: "type = 'task.due_soon'",
    },
  ],
  indexes: [
    { name: 'notifications_user_unread', properties: ['userId', 'seq'], where: 'read_at is null' },
    // Retention: read notifications past their time.
    { name: 'notifications_read', properties: 'readAt', where: 'read_at is not null' },
  ],
});
NotificationRecord.meta.checks = [
  { name: 'notifications_seq_check', property: 'seq', expression: 'seq >= 1' },
  {
    name: 'notifications_type_check',
    property: 'type',
    // From the list, so the entity cannot lag behind it; the migrations must follow it too
    // (`tests/integration/notifications/notification-types.test.ts`).
    expression: `type in (${NOTIFICATION_TYPES.map((type) => `'${type}'`).join(', ')})`,
  },
  {
    name: 'notifications_check',
    expression: "(type = 'task.due_soon') = (reminder_at is not null)",
  },
];

/** Each user's last drawn `seq`; the row stays locked until the drawing transaction commits. */
export const NotificationSequenceRecord = defineEntity({
  name: 'NotificationSequenceRecord',
  tableName: 'notification_sequences',
  properties: {
    userId: p.uuid().primary(),
    lastSeq: p.bigint('string'),
  },
});
NotificationSequenceRecord.meta.checks = [
  {
    name: 'notification_sequences_last_seq_check',
    property: 'lastSeq',
    expression: 'last_seq >= 0',
  },
];

/** The reminder state of each task, as the last reminder change in the outbox left it. */
export const TaskReminderRecord = defineEntity({
  name: 'TaskReminderRecord',
  tableName: 'task_reminders',
  properties: {
    taskId: p.uuid().primary(),
    reminderAt: p.datetime().columnType('timestamptz').nullable(),
    changedAt: p.datetime().columnType('timestamptz'),
    firedAt: p.datetime().columnType('timestamptz').nullable(),
    recipients: p.array().columnType('uuid[]').defaultRaw(`'{}'`),
  },
  indexes: [
    {
      name: 'task_reminders_pending',
      properties: 'reminderAt',
      where: 'reminder_at is not null and fired_at is null',
    },
  ],
});

export const notificationsEntities = [
  NotificationRecord,
  NotificationSequenceRecord,
  TaskReminderRecord,
];

/** The notifications tables as typed Kysely sees them (`em.getKysely<NotificationsTables>()`). */
export type NotificationsTables = InferKyselyDB<(typeof notificationsEntities)[number]>;
