import { err, ok, type Result } from 'neverthrow';
import {
  TASK_EVENT_TYPES,
  TASK_STATUSES,
  type TaskEvent,
  type TaskEventType,
  type TaskStatus,
} from '../../../tasks/index.ts';
import type { OutboxEvent } from '../../application/ports.ts';

type PayloadOf<T extends TaskEventType> = Extract<TaskEvent, { type: T }>['payload'];

/** An outbox row as claimed: type and payload not yet checked. */
export type UncheckedOutboxEvent = Omit<
  OutboxEvent,
  'type' | 'payload' | 'taskId' | 'projectId'
> & {
  type: unknown;
  taskId: string | null;
  projectId: string | null;
  payload: unknown;
};

type Fields = Record<string, unknown>;
const isFields = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isStringOrNull = (value: unknown): value is string | null =>
  value === null || typeof value === 'string';
const isStatus = (value: unknown): value is TaskStatus =>
  TASK_STATUSES.some((status) => status === value);

function isTaskEventType(value: unknown): value is TaskEventType {
  return TASK_EVENT_TYPES.some((known) => known === value);
}

/** Whether a payload has its type's fields; an event type without one does not compile. */
const IS_PAYLOAD_OF: {
  [T in TaskEventType]: (payload: unknown) => payload is PayloadOf<T>;
} = {
  'task.assigned': (payload): payload is PayloadOf<'task.assigned'> =>
    isFields(payload) &&
    isString(payload.title) &&
    isString(payload.assigneeId) &&
    isStringOrNull(payload.previousAssigneeId),
  'task.status_changed': (payload): payload is PayloadOf<'task.status_changed'> =>
    isFields(payload) && isString(payload.title) && isStatus(payload.from) && isStatus(payload.to),
  'task.commented': (payload): payload is PayloadOf<'task.commented'> =>
    isFields(payload) && isString(payload.title) && isString(payload.commentId),
  'task.reminder_changed': (payload): payload is PayloadOf<'task.reminder_changed'> =>
    isFields(payload) && isStringOrNull(payload.reminderAt) && isStringOrNull(payload.dueDate),
};

/**
 * The event of a claimed row, built type by type; or why there is none: a type this version does
 * not know, or a payload that is not its type's.
 */
export function checkOutboxEvent(read: UncheckedOutboxEvent): Result<OutboxEvent, string> {
  const { type, payload, taskId, projectId, ...rest } = read;
  if (!isTaskEventType(type)) return err(`outbox event ${read.id}: unknown type ${String(type)}`);
  if (taskId === null || projectId === null) {
    return err(`outbox event ${read.id}: a task event without its task or project`);
  }
  const common = { ...rest, taskId, projectId };
  const mismatch = () => err(`outbox event ${read.id}: payload not of type ${type}`);
  switch (type) {
    case 'task.assigned':
      return IS_PAYLOAD_OF[type](payload) ? ok({ ...common, type, payload }) : mismatch();
    case 'task.status_changed':
      return IS_PAYLOAD_OF[type](payload) ? ok({ ...common, type, payload }) : mismatch();
    case 'task.commented':
      return IS_PAYLOAD_OF[type](payload) ? ok({ ...common, type, payload }) : mismatch();
    case 'task.reminder_changed':
      return IS_PAYLOAD_OF[type](payload) ? ok({ ...common, type, payload }) : mismatch();
    default:
      return unhandled(type);
  }
}

function unhandled(type: never): never {
  throw new Error(`outbox event type ${String(type)} has no case`);
}
