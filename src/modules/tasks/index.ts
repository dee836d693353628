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
/** The outbox table's entity, as a type only: the notifications relay reads it with typed queries. */
export type { OutboxEventRecord } from './adapters/persistence/tasks.entities.ts';
