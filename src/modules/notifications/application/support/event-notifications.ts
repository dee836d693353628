import {
  recipientsOf,
  type NotificationData,
  type NotificationDraft,
} from '../../domain/notification.ts';
import type { OutboxEvent, ReminderChange } from '../ports.ts';

/**
 * The notifications an outbox event causes: one per recipient the event names, never the actor
 * (README, Notifications). `task.reminder_changed` notifies no one; it moves the reminder.
 */
export function notificationsFor(
  event: OutboxEvent,
  context: { nextId: () => string; now: Date },
): NotificationDraft[] {
  const data = dataOf(event);
  if (!data) return [];
  return recipientsOf(event.recipients, event.actorId).map((userId) => ({
    id: context.nextId(),
    userId,
    type: event.type as NotificationDraft['type'],
    taskId: event.taskId,
    actorId: event.actorId,
    data,
    source: { type: 'event', eventId: event.id },
    createdAt: context.now,
  }));
}

function dataOf(event: OutboxEvent): NotificationData | undefined {
  switch (event.type) {
    case 'task.assigned':
      return {
        title: event.payload.title,
        assignee_id: event.payload.assigneeId,
        previous_assignee_id: event.payload.previousAssigneeId,
      };
    case 'task.status_changed':
      return { title: event.payload.title, from: event.payload.from, to: event.payload.to };
    case 'task.commented':
      return { title: event.payload.title, comment_id: event.payload.commentId };
    case 'task.reminder_changed':
      return undefined;
  }
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
