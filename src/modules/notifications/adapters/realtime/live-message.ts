import { checkNotification, type Notification } from '../../domain/notification.ts';

/** The pub/sub channel every API instance listens on for notifications to push. */
export const LIVE_CHANNEL = 'notifications:live';

/**
 * One message per relay commit: the notifications it stored, with their recipients and numbers,
 * and the publisher's trace context when it was traced.
 */
export function encodeLiveMessage(
  notifications: readonly Notification[],
  trace?: Record<string, string>,
): string {
  return JSON.stringify(trace ? { items: notifications, trace } : { items: notifications });
}

/**
 * The notifications of a message and the trace context it carries, if any; anything malformed is
 * dropped, never thrown.
 */
export function decodeLiveEnvelope(message: string): {
  notifications: Notification[];
  trace?: Record<string, string>;
} {
  let raw: unknown;
  try {
    raw = JSON.parse(message);
  } catch {
    return { notifications: [] };
  }
  const { items, trace } = (raw ?? {}) as { items?: unknown; trace?: unknown };
  if (!Array.isArray(items)) return { notifications: [] };
  const notifications = items.flatMap((item: unknown) => {
    const notification = reviveNotification(item);
    return notification ? [notification] : [];
  });
  return isStringRecord(trace) ? { notifications, trace } : { notifications };
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.values(value).every((field) => typeof field === 'string')
  );
}

/** A notification of the message, or undefined when malformed (an unknown type included). */
function reviveNotification(item: unknown): Notification | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const n = item as Record<string, unknown>;
  if (
    typeof n.id !== 'string' ||
    typeof n.userId !== 'string' ||
    typeof n.seq !== 'number' ||
    typeof n.createdAt !== 'string'
  ) {
    return undefined;
  }
  const checked = checkNotification({
    id: n.id,
    userId: n.userId,
    seq: n.seq,
    type: n.type,
    taskId: typeof n.taskId === 'string' ? n.taskId : null,
    actorId: typeof n.actorId === 'string' ? n.actorId : null,
    data: n.data,
    readAt: typeof n.readAt === 'string' ? new Date(n.readAt) : null,
    createdAt: new Date(n.createdAt),
  });
  return checked.isOk() ? checked.value : undefined;
}
