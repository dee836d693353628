import { z } from '@hono/zod-openapi';
import { GRANTABLE_ROLES, TASK_STATUSES } from '../../../tasks/index.ts';
import {
  NOTIFICATION_TYPES,
  type Notification,
  type NotificationDataByType,
  type NotificationType,
} from '../../domain/notification.ts';

const ID = '0193a1f2-8b7c-7d4e-9f00-1a2b3c4d5e6f';
const TIME = '2026-11-22T10:00:00.000Z';
const id = () => z.uuid().openapi({ example: ID });
const time = () => z.iso.datetime().openapi({ example: TIME });

const title = () =>
  z.string().openapi({ description: 'The task’s title then.', example: 'Write the report' });
const status = () => z.enum(TASK_STATUSES);
const project = () => ({
  project_id: id(),
  project_name: z.string().openapi({ description: 'The project’s name then.', example: 'Launch' }),
});

/** The details of each notification type; a type without them does not compile. */
const DATA_SCHEMAS = {
  'task.assigned': z.object({
    title: title(),
    assignee_id: id(),
    previous_assignee_id: id().nullable(),
  }),
  'task.due_soon': z.object({
    title: title(),
    reminder_at: time().openapi({ description: 'When the reminder was due.' }),
    due_date: time().nullable(),
  }),
  'task.status_changed': z.object({ title: title(), from: status(), to: status() }),
  'task.commented': z.object({ title: title(), comment_id: id() }),
  'project.invited': z.object({
    ...project(),
    role: z.enum(GRANTABLE_ROLES).openapi({ description: 'The role the invitation gives.' }),
    invitation_id: id().openapi({ description: 'Accept or decline it at /api/v1/invitations.' }),
  }),
  'project.member_added': z.object({
    ...project(),
    user_id: id().openapi({ description: 'Who joined.' }),
    role: z.enum(GRANTABLE_ROLES),
  }),
  'project.member_removed': z.object({
    ...project(),
    user_id: id().openapi({ description: 'Who left or was removed.' }),
  }),
  'webhook.disabled': z.object({
    webhook_id: id(),
    url: z.string().openapi({ example: 'https://hooks.example.com/tasks' }),
    reason: z.string().openapi({ description: 'Why the service switched the webhook off.' }),
  }),
} satisfies { [T in NotificationType]: z.ZodType<NotificationDataByType[T]> };

/** The component's name of a type: `task.due_soon` → `TaskDueSoonNotification`. */
function componentName(type: NotificationType): string {
  const words = type.split(/[._]/).map((word) => word.charAt(0).toUpperCase() + word.slice(1));
  return `${words.join('')}Notification`;
}

/** One notification type's schema: the common fields, its `type` and its `data`. */
function notificationOfType<T extends NotificationType>(type: T) {
  return z
    .object({
      id: id(),
      type: z.literal(type),
      task_id: id().nullable(),
      actor_id: id().nullable().openapi({
        description: 'Who caused it; null for `task.due_soon` and `webhook.disabled`.',
      }),
      data: DATA_SCHEMAS[type],
      read_at: time().nullable(),
      created_at: time(),
    })
    .openapi(componentName(type));
}

/** Each type's schema, in the order of the list, as a tuple of its own types. */
type NotificationVariants<Types extends readonly NotificationType[]> = {
  [K in keyof Types]: ReturnType<typeof notificationOfType<Types[K]>>;
};

/**
 * One variant per type of `NOTIFICATION_TYPES`, built from the list so none can be left out. The
 * tuple's element types are what `map` builds element by element; TypeScript cannot map a tuple
 * through `map` itself, hence the one assertion.
 */
function notificationVariants<const Types extends readonly NotificationType[]>(
  types: Types,
): NotificationVariants<Types> {
  return types.map((type) => notificationOfType(type)) as NotificationVariants<Types>;
}

/** A notification: `type` says which, and `data` carries that type's details. */
export const NotificationSchema = z
  .discriminatedUnion('type', notificationVariants(NOTIFICATION_TYPES))
  .openapi('Notification', {
    example: {
      id: ID,
      type: 'task.status_changed',
      task_id: ID,
      actor_id: ID,
      data: { title: 'Write the report', from: 'pending', to: 'in_progress' },
      read_at: null,
      created_at: TIME,
    },
  });

export type NotificationJson = z.infer<typeof NotificationSchema>;

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

export function toNotificationJson(notification: Notification): NotificationJson {
  const common = {
    id: notification.id,
    task_id: notification.taskId,
    actor_id: notification.actorId,
    read_at: notification.readAt?.toISOString() ?? null,
    created_at: notification.createdAt.toISOString(),
  };
  switch (notification.type) {
    case 'task.assigned':
      return { ...common, type: notification.type, data: notification.data };
    case 'task.due_soon':
      return { ...common, type: notification.type, data: notification.data };
    case 'task.status_changed':
      return { ...common, type: notification.type, data: notification.data };
    case 'task.commented':
      return { ...common, type: notification.type, data: notification.data };
    case 'project.invited':
      return { ...common, type: notification.type, data: notification.data };
    case 'project.member_added':
      return { ...common, type: notification.type, data: notification.data };
    case 'project.member_removed':
      return { ...common, type: notification.type, data: notification.data };
    case 'webhook.disabled':
      return { ...common, type: notification.type, data: notification.data };
    default:
      return unknownType(notification);
  }
}

function unknownType(notification: never): never {
  throw new Error(`unknown notification type in ${JSON.stringify(notification)}`);
}
