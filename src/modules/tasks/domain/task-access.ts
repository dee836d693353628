import { err, ok, type Result } from 'neverthrow';
import { roleAtLeast, type ProjectRole } from './project-role.ts';
import { forbidden, type TaskAction, type TaskErrorOf } from './task.errors.ts';

/**
 * Who may do what with a task, decided on the caller's membership of the task's project.
 *
 * Visibility: the members of the task's (live) project see it. In a user's Inbox (their personal
 * project, whose one member is that user) the task's assignee sees it too, by the assignment
 * alone. In a shared project visibility is membership and nothing else: an assignee must be a
 * member when assigned, and one who is removed no longer sees the project's tasks, not even a
 * completed task that keeps them as its assignee. Soft-deleted tasks are visible to no one.
 *
 * Rights: `viewer` reads and comments; `editor` and above create, change, assign, move and delete
 * tasks and attach files. The Inbox assignee may change the status, comment and attach. A comment
 * is edited by its author alone and deleted by its author or an `admin`+; an attachment is deleted
 * by its uploader or an `editor`+. An archived project is read-only for everyone.
 */
export interface TaskParties {
  readonly projectId: string;
  readonly ownerId: string;
  readonly assigneeId: string | null;
  readonly deletedAt: Date | null;
}

/** The caller as the task's project knows them. */
export interface TaskAccess {
  /** The project this standing is in. */
  readonly projectId: string;
  readonly userId: string;
  /** Their role in the task's project; undefined when they are not a member. */
  readonly role: ProjectRole | undefined;
  /** The project is its user's Inbox, where the assignee sees the task without being a member. */
  readonly personal: boolean;
  /** The project is archived: every write to its tasks is refused. */
  readonly archived: boolean;
}

type Refusal = TaskErrorOf<'Forbidden' | 'ProjectArchived'>;

/** The least role each project-level action needs. */
export const REQUIRED_ROLE = {
  create_task: 'editor',
  edit_task: 'editor',
  delete_task: 'editor',
  move_task: 'editor',
  change_status: 'editor',
  comment: 'viewer',
  attach: 'editor',
  delete_comment: 'admin',
  delete_attachment: 'editor',
} as const satisfies Partial<Record<TaskAction, ProjectRole>>;

function hasRole(access: Pick<TaskAccess, 'role'>, minimum: ProjectRole): boolean {
  return access.role !== undefined && roleAtLeast(access.role, minimum);
}

function isInboxAssignee(task: TaskParties, access: TaskAccess): boolean {
  return access.personal && task.assigneeId === access.userId;
}

export function canView(task: TaskParties, access: TaskAccess): boolean {
  return task.deletedAt === null && (access.role !== undefined || isInboxAssignee(task, access));
}

/** A write is refused in an archived project before any role is weighed. */
function write(
  access: Pick<TaskAccess, 'archived' | 'projectId'>,
  allowed: boolean,
  action: TaskAction,
): Result<void, Refusal> {
  if (access.archived) return err({ type: 'ProjectArchived', projectId: access.projectId });
  return allowed ? ok(undefined) : err(forbidden(action));
}

type Live = Pick<TaskParties, 'deletedAt'>;

/** Every change other than the status, the assignment and the categories included. */
export function mayEdit(task: Live, access: TaskAccess): Result<void, Refusal> {
  const allowed = task.deletedAt === null && hasRole(access, REQUIRED_ROLE.edit_task);
  return write(access, allowed, 'edit_task');
}

export function mayDelete(task: Live, access: TaskAccess): Result<void, Refusal> {
  const allowed = task.deletedAt === null && hasRole(access, REQUIRED_ROLE.delete_task);
  return write(access, allowed, 'delete_task');
}

export function mayChangeStatus(task: TaskParties, access: TaskAccess): Result<void, Refusal> {
  const allowed = hasRole(access, REQUIRED_ROLE.change_status) || isInboxAssignee(task, access);
  return write(access, task.deletedAt === null && allowed, 'change_status');
}

export function mayComment(task: TaskParties, access: TaskAccess): Result<void, Refusal> {
  const allowed = hasRole(access, REQUIRED_ROLE.comment) || isInboxAssignee(task, access);
  return write(access, task.deletedAt === null && allowed, 'comment');
}

export function mayAttach(task: TaskParties, access: TaskAccess): Result<void, Refusal> {
  const allowed = hasRole(access, REQUIRED_ROLE.attach) || isInboxAssignee(task, access);
  return write(access, task.deletedAt === null && allowed, 'attach');
}

/** Creating a task in a project, or moving one in or out of it. */
export function mayPlaceTasks(
  access: Omit<TaskAccess, 'personal'>,
  action: 'create_task' | 'move_task',
): Result<void, Refusal> {
  return write(access, hasRole(access, REQUIRED_ROLE[action]), action);
}

/** Only the author edits a comment: words must not be put in anyone's mouth, an admin's neither. */
export function mayEditComment(
  comment: { readonly authorId: string },
  access: TaskAccess,
): Result<void, Refusal> {
  return write(access, comment.authorId === access.userId, 'edit_comment');
}

export function mayDeleteComment(
  comment: { readonly authorId: string },
  access: TaskAccess,
): Result<void, Refusal> {
  const allowed =
    comment.authorId === access.userId || hasRole(access, REQUIRED_ROLE.delete_comment);
  return write(access, allowed, 'delete_comment');
}

export function mayDeleteAttachment(
  attachment: { readonly uploadedBy: string },
  access: TaskAccess,
): Result<void, Refusal> {
  const allowed =
    attachment.uploadedBy === access.userId || hasRole(access, REQUIRED_ROLE.delete_attachment);
  return write(access, allowed, 'delete_attachment');
}
