import { z } from '@hono/zod-openapi';
import { NOTIFICATION_TYPES, type Notification } from '../../domain/notification.ts';

const ID = '0193a1f2-8b7c-7d4e-9f00-1a2b3c4d5e6f';
const TIME = '2026-11-22T10:00:00.000Z';
const id = () => z.uuid().openapi({ example: ID });
const time = () => z.iso.datetime().openapi({ example: TIME });

export const NotificationSchema = z
  .object({
    id: id(),
    type: z.enum(NOTIFICATION_TYPES),
    task_id: id().nullable(),
    actor_id: id().nullable().openapi({ description: 'Who caused it; null for `task.due_soon`.' }),
    data: z.record(z.string(), z.string().nullable()).openapi({
      description:
        'Details by type. Every type has `title` (the task title then). `task.assigned`: ' +
        '`assignee_id`, `previous_assignee_id`; `task.status_changed`: `from`, `to`; ' +
        '`task.commented`: `comment_id`; `task.due_soon`: `reminder_at`, `due_date`.',
      example: { title: 'Write the report', from: 'pending', to: 'in_progress' },
    }),
    read_at: time().nullable(),
    created_at: time(),
  })
  .openapi('Notification');

/** The one frame the server sends on the WebSocket; openapi/asyncapi.yaml is generated from it. */
export const NotificationFrameSchema = z.object({
  type: z.literal('notification'),
  data: NotificationSchema,
});

export type NotificationFrame = z.infer<typeof NotificationFrameSchema>;

export const NotificationListSchema = z
  .object({
    items: z.array(NotificationSchema),
    next_cursor: z
      .string()
      .nullable()
      .openapi({ description: 'Pass as `cursor` for the next (older) page; null at the end.' }),
  })
  .openapi('NotificationList');

export const ListNotificationsQuery = z.object({
  unread_only: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true')
    .openapi({ type: 'boolean', description: 'Only notifications not yet read.' }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: '`next_cursor` of the previous page.' }),
});

export const NotificationIdParam = z.object({
  notification_id: z
    .uuid()
    .openapi({ param: { name: 'notification_id', in: 'path' }, example: ID }),
});

export function toNotificationJson(notification: Notification): z.infer<typeof NotificationSchema> {
  return {
    id: notification.id,
    type: notification.type,
    task_id: notification.taskId,
    actor_id: notification.actorId,
    data: notification.data,
    read_at: notification.readAt?.toISOString() ?? null,
    created_at: notification.createdAt.toISOString(),
  };
}
