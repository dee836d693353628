import { err, ok, type Result } from 'neverthrow';
import {
  GRANTABLE_ROLES,
  PROJECT_EVENT_TYPES,
  TASK_EVENT_TYPES,
  TASK_STATUSES,
  type GrantableRole,
  type ProjectEvent,
  type ProjectEventType,
  type TaskEvent,
  type TaskEventType,
  type TaskStatus,
} from '../../../tasks/index.ts';
import type { OutboxEvent } from '../../application/ports.ts';

type PayloadOf<T extends TaskEventType> = Extract<TaskEvent, { type: T }>['payload'];
type ProjectPayloadOf<T extends ProjectEventType> = Extract<ProjectEvent, { type: T }>['payload'];
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
const isRole = (value: unknown): value is GrantableRole =>
  GRANTABLE_ROLES.some((role) => role === value);

function isTaskEventType(value: unknown): value is TaskEventType {
  return TASK_EVENT_TYPES.some((known) => known === value);
}

function isProjectEventType(value: unknown): value is ProjectEventType {
  return PROJECT_EVENT_TYPES.some((known) => known === value);
}

/** Whether a project event's payload has its type's fields. */
const IS_PROJECT_PAYLOAD_OF: {
  [T in ProjectEventType]: (payload: unknown) => payload is ProjectPayloadOf<T>;
} = {
  'project.invited': (payload): payload is ProjectPayloadOf<'project.invited'> =>
    isFields(payload) &&
    isString(payload.projectName) &&
    isRole(payload.role) &&
    isString(payload.invitationId),
  'project.member_added': (payload): payload is ProjectPayloadOf<'project.member_added'> =>
    isFields(payload) &&
    isString(payload.projectName) &&
    isString(payload.userId) &&
    isRole(payload.role),
  'project.member_removed': (payload): payload is ProjectPayloadOf<'project.member_removed'> =>
    isFields(payload) && isString(payload.projectName) && isString(payload.userId),
};

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
  if (isProjectEventType(type)) {
    if (taskId !== null || projectId === null) {
      return err(`outbox event ${read.id}: a project event needs its project and no task`);
    }
    const common = { ...rest, taskId, projectId };
    const mismatch = () => err(`outbox event ${read.id}: payload not of type ${type}`);
    switch (type) {
      case 'project.invited':
        return IS_PROJECT_PAYLOAD_OF[type](payload) ? ok({ ...common, type, payload }) : mismatch();
      case 'project.member_added':
        return IS_PROJECT_PAYLOAD_OF[type](payload) ? ok({ ...common, type, payload }) : mismatch();
      case 'project.member_removed':
        return IS_PROJECT_PAYLOAD_OF[type](payload) ? ok({ ...common, type, payload }) : mismatch();
      default:
        return unhandled(type);
    }
  }
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
