/** The tasks module as other modules see it: the events it writes to the outbox, and their rules. */
export {
  audienceOf,
  effectiveReminderAt,
  recipientsOf,
  TASK_EVENT_TYPES,
  WORK_EVENT_TYPES,
  type TaskEvent,
  type TaskEventType,
  type WorkEvent,
  type WorkEventType,
} from './domain/task-events.ts';
export {
  PROJECT_EVENT_TYPES,
  type ProjectEvent,
  type ProjectEventType,
} from './domain/project-events.ts';
export { GRANTABLE_ROLES, type GrantableRole } from './domain/project-role.ts';
/** Use cases other modules' adapters call: a task as one of its users sees it, a user's storage. */
export type { GetTask } from './application/get-task.ts';
export type { GetStorageUsage } from './application/get-storage-usage.ts';
export type { CreateInbox } from './application/create-inbox.ts';
/** Who may see a task now: for the notifications relay and for webhook deliveries. */
export type { WhoCanSeeTask } from './application/who-can-see-task.ts';
export { TASK_STATUSES, type TaskStatus } from './domain/task-fields.ts';
/** Entities as types only: the notifications relay and the retention job query them, typed. */
export type { TasksDb as TasksTables } from './adapters/persistence/tasks.entities.ts';
