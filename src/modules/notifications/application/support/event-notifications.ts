import { recipientsOf } from '../../../tasks/index.ts';
import type {
  NotificationDataByType,
  NotificationDraft,
  NotificationType,
} from '../../domain/notification.ts';
import type { OutboxEvent, ReminderChange, SubscribedEvent } from '../ports.ts';

/** A notification type with its details, correlated. */
type TypedData = {
  [T in NotificationType]: { type: T; data: NotificationDataByType[T] };
}[NotificationType];

/**
 * The notifications an outbox event causes: one per recipient (the tasks module's rule: never the
 * actor; README, "Notifications"). `task.reminder_changed` notifies no one; it moves the reminder.
 */
export function notificationsFor(
  event: OutboxEvent,
  context: { nextId: () => string; now: Date },
): NotificationDraft[] {
  const typed = notificationOf(event);
  if (!typed) return [];
  return recipientsOf(event.type, event.recipients, event.actorId).map(
    (userId): NotificationDraft => ({
      ...typed,
      id: context.nextId(),
      userId,
      taskId: event.taskId,
      actorId: event.actorId,
      source: { type: 'event', eventId: event.id },
      createdAt: context.now,
    }),
  );
}

/** What each task event type becomes; a new event type does not compile until it is mapped. */
export function notificationOf(event: OutboxEvent): TypedData | undefined {
  switch (event.type) {
    case 'task.assigned':
      return {
        type: event.type,
        data: {
          title: event.payload.title,
          assignee_id: event.payload.assigneeId,
          previous_assignee_id: event.payload.previousAssigneeId,
        },
      };
    case 'task.status_changed':
      return {
        type: event.type,
        data: { title: event.payload.title, from: event.payload.from, to: event.payload.to },
      };
    case 'task.commented':
      return {
        type: event.type,
        data: { title: event.payload.title, comment_id: event.payload.commentId },
      };
    case 'task.reminder_changed':
      return undefined;
    case 'project.invited':
      return {
        type: event.type,
        data: {
          project_id: event.projectId,
          project_name: event.payload.projectName,
          role: event.payload.role,
          invitation_id: event.payload.invitationId,
        },
      };
    case 'project.member_added':
      return {
        type: event.type,
        data: {
          project_id: event.projectId,
          project_name: event.payload.projectName,
          user_id: event.payload.userId,
          role: event.payload.role,
        },
      };
    case 'project.member_removed':
      return {
        type: event.type,
        data: {
          project_id: event.projectId,
          project_name: event.payload.projectName,
          user_id: event.payload.userId,
        },
      };
    default:
      return unmapped(event);
  }
}

/** The events among `events` that other modules may subscribe to (those that notify). */
export function subscribedEventsIn(events: readonly OutboxEvent[]): SubscribedEvent[] {
  return events.flatMap((event) => {
    const typed = notificationOf(event);
    if (!typed) return [];
    return [
      {
        ...typed,
        id: event.id,
        taskId: event.taskId,
        projectId: event.projectId,
        actorId: event.actorId,
        occurredAt: event.occurredAt,
        recipients: event.recipients,
      },
    ];
  });
}

function unmapped(event: never): never {
  throw new Error(`no notification mapping for outbox event ${JSON.stringify(event)}`);
}

/** The last reminder change per task among `events`, in task order (a stable lock order). */
export function reminderChangesIn(events: readonly OutboxEvent[]): ReminderChange[] {
  const latest = new Map<string, ReminderChange>();
  for (const event of events) {
    if (event.type !== 'task.reminder_changed') continue;
    const change: ReminderChange = {
      taskId: event.taskId,
      reminderAt: event.payload.reminderAt === null ? null : new Date(event.payload.reminderAt),
      recipients: event.recipients,
      changedAt: event.occurredAt,
    };
    const known = latest.get(event.taskId);
    if (!known || known.changedAt.getTime() <= change.changedAt.getTime()) {
      latest.set(event.taskId, change);
    }
  }
  return [...latest.values()].sort((a, b) => (a.taskId < b.taskId ? -1 : 1));
}
