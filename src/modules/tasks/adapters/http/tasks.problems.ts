import { validationProblem, type ProblemInit } from '../../../../shared/http/problem.ts';
import type { TaskAction, TaskError } from '../../domain/task.errors.ts';

type Mapping<E> = (error: E) => ProblemInit;

const ACTIONS: Record<TaskAction, string> = {
  edit_task:
    'Changing this task needs the editor role in its project (the assignee of an Inbox task may change its status).',
  delete_task: 'Deleting this task needs the editor role in its project.',
  change_status: 'Changing the status of this task needs the editor role in its project.',
  comment: 'You may not comment on this task.',
  attach: 'Adding attachments needs the editor role in the task’s project.',
  edit_comment: 'Only the author may edit this comment.',
  delete_comment: 'Only the author or an admin of the project may delete this comment.',
  delete_attachment: 'Only the uploader or an editor of the project may delete this attachment.',
  manage_project: 'Only an admin or the owner of the project may do this.',
  manage_members: 'Only an admin or the owner of the project may manage its members.',
  change_owner_role: 'The owner’s role changes only by transferring the project.',
  remove_owner: 'The owner cannot be removed; they may transfer the project first.',
  grant_above_own_role: 'You may not give a role above your own.',
  delete_project: 'Only the owner may delete the project.',
  transfer_project: 'Only the owner may transfer the project.',
  administer: 'Only a site admin may do this.',
  manage_invitations: 'Only the project’s admins and its owner may manage its invitations.',
  create_task: 'Creating tasks needs the editor role in the project.',
  move_task: 'Moving a task needs the editor role in both projects.',
};

const notFound = (what: string): ProblemInit => ({
  status: 404,
  code: 'not_found',
  title: `${what} not found`,
});

/**
 * Who can be assigned, said whole whichever part failed: the caller learns what to fix without
 * learning whether the account exists, is unverified, or is merely outside the project.
 */
export const ASSIGNABLE =
  'The assignee must be an active user with a verified email address and, in a shared project, one of its members.';

/** Every tasks error, mapped once: a new error type without a row here does not compile. */
const table: { [K in TaskError['type']]: Mapping<Extract<TaskError, { type: K }>> } = {
  TaskNotFound: () => notFound('Task'),
  Forbidden: (e) => ({
    status: 403,
    code: 'forbidden',
    title: 'Not allowed',
    detail: ACTIONS[e.action],
  }),
  VersionConflict: (e) => ({
    status: 409,
    code: 'version_conflict',
    title: `The ${e.resource ?? 'task'} changed since you read it`,
    detail: `Re-read the ${e.resource ?? 'task'} (now at version ${e.currentVersion}) and apply your change again.`,
    extensions: { current_version: e.currentVersion },
  }),
  PreconditionFailed: (e) => ({
    status: 412,
    code: 'precondition_failed',
    title: `The ${e.resource ?? 'task'} does not match If-Match`,
    detail: `Re-read the ${e.resource ?? 'task'} (now at version ${e.currentVersion}) and apply your change again.`,
    extensions: { current_version: e.currentVersion },
  }),
  ValidationFailed: (e) => validationProblem(e.errors),
  CategoryNotFound: () => notFound('Category'),
  CategoryExists: () => ({
    status: 409,
    code: 'category_exists',
    title: 'You already have a category with this name',
  }),
  AlreadyAssigned: () => ({
    status: 409,
    code: 'already_assigned',
    title: 'The task already has this category',
  }),
  AssigneeNotFound: () => ({ ...notFound('Assignee'), detail: ASSIGNABLE }),
  CommentNotFound: () => notFound('Comment'),
  AttachmentNotFound: () => notFound('Attachment'),
  FileTooLarge: (e) => ({
    status: 413,
    code: 'payload_too_large',
    title: 'Payload too large',
    detail: `A file may not exceed ${e.maxBytes} bytes.`,
  }),
  StorageQuotaExceeded: (e) => ({
    status: 413,
    code: 'storage_quota_exceeded',
    title: 'Storage quota exceeded',
    detail: `Your attachments may take at most ${e.quotaBytes} bytes; ${e.usedBytes} are in use. Delete attachments to make room.`,
    extensions: { quota_bytes: e.quotaBytes, used_bytes: e.usedBytes },
  }),
  AssigneeNotMember: () => ({
    status: 409,
    code: 'assignee_not_member',
    title: 'The assignee is not a member of the target project',
    detail: 'Unassign the task (or assign a member of the target project) in the same request.',
  }),
  UnsupportedMediaType: () => ({
    status: 415,
    code: 'unsupported_media_type',
    title: 'Unsupported media type',
    detail: 'The declared content type contradicts the file contents.',
  }),
  ProjectNotFound: () => notFound('Project'),
  PersonalProject: () => ({
    status: 403,
    code: 'personal_project',
    title: 'The Inbox is personal',
    detail: 'The Inbox cannot be renamed, shared, archived, transferred or deleted.',
  }),
  ProjectArchived: () => ({
    status: 403,
    code: 'project_archived',
    title: 'The project is archived',
    detail: 'An archived project is read-only; an admin may unarchive it.',
  }),
  OwnerCannotLeave: () => ({
    status: 409,
    code: 'owner_cannot_leave',
    title: 'The owner cannot leave the project',
    detail: 'Transfer the project to another member first.',
  }),
  MemberNotFound: () => notFound('Member'),
  AlreadyMember: () => ({
    status: 409,
    code: 'already_member',
    title: 'The invitee is already a member of the project',
  }),
  AlreadyInvited: () => ({
    status: 409,
    code: 'already_invited',
    title: 'A pending invitation to this address exists',
    detail: 'Revoke it first to invite the address again, e.g. with another role.',
  }),
  InvitationNotFound: () => notFound('Invitation'),
  InvitationClosed: (e) => ({
    status: 409,
    code: 'invitation_closed',
    title: 'The invitation is no longer pending',
    detail: `The invitation is ${e.status}.`,
  }),
  RateLimited: (e) => ({
    status: 429,
    code: 'rate_limited',
    title: 'Too many requests',
    headers: { 'Retry-After': String(e.retryAfterSeconds) },
  }),
};

export function taskProblem(error: TaskError): ProblemInit {
  return (table[error.type] as Mapping<TaskError>)(error);
}
