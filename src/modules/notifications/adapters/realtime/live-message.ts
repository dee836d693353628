import { NOTIFICATION_TYPES, type Notification } from '../../domain/notification.ts';

/** The pub/sub channel every API instance listens on for notifications to push. */
export const LIVE_CHANNEL = 'notifications:live';

/** One message per relay commit: the notifications it stored, with their recipients and numbers. */
export function encodeLiveMessage(notifications: readonly Notification[]): string {
  return JSON.stringify({ items: notifications });
}

/** The notifications of a message; anything malformed is dropped, never thrown. */
export function decodeLiveMessage(message: string): Notification[] {
  let raw: unknown;
  try {
    raw = JSON.parse(message);
  } catch {
    return [];
  }
  const items = (raw as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) return [];
  return items.flatMap((item: unknown) => {
    const notification = reviveNotification(item);
    return notification ? [notification] : [];
  });
}

function reviveNotification(item: unknown): Notification | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const n = item as Record<string, unknown>;
  const type = NOTIFICATION_TYPES.find((known) => known === n.type);
  if (
    typeof n.id !== 'string' ||
    typeof n.userId !== 'string' ||
    typeof n.seq !== 'number' ||
    !type ||
    typeof n.createdAt !== 'string' ||
    typeof n.data !== 'object' ||
    n.data === null
  ) {
    return undefined;
  }
  return {
    id: n.id,
    userId: n.userId,
    seq: n.seq,
    type,
    taskId: typeof n.taskId === 'string' ? n.taskId : null,
    actorId: typeof n.actorId === 'string' ? n.actorId : null,
    data: n.data as Notification['data'],
    readAt: typeof n.readAt === 'string' ? new Date(n.readAt) : null,
    createdAt: new Date(n.createdAt),
  };
}
