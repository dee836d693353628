/** The tasks module as other modules see it: the events it writes to the outbox, and their rules. */
export {
  effectiveReminderAt,
  TASK_EVENT_TYPES,
  type TaskAssigned,
  type TaskCommented,
  type TaskEvent,
  type TaskEventType,
  type TaskReminderChanged,
  type TaskStatusChanged,
} from './domain/task-events.ts';
/** Entities as types only: the notifications relay and the retention job query them, typed. */
export type { AttachmentRecord, OutboxEventRecord } from './adapters/persistence/tasks.entities.ts';
