/** Input fields a domain rule can reject, named as in the API (snake_case). */
export type TaskField =
  | 'title'
  | 'description'
  | 'due_date'
  | 'remind_at'
  | 'due_to'
  | 'name'
  | 'color'
  | 'body'
  | 'cursor'
  | 'user_id'
  | 'email';

export interface FieldError {
  field: TaskField;
  message: string;
}

/** What a visible-but-refused caller tried to do; lets the problem detail say so. */
export type TaskAction =
  | 'edit_task'
  | 'delete_task'
  | 'change_status'
  | 'comment'
  | 'attach'
  | 'edit_comment'
  | 'delete_comment'
  | 'delete_attachment'
  | 'manage_project'
  | 'manage_members'
  | 'change_owner_role'
  | 'remove_owner'
  | 'grant_above_own_role'
  | 'delete_project'
  | 'transfer_project'
  | 'administer'
  | 'manage_invitations'
  | 'create_task'
  | 'move_task';

/** Expected outcomes of the tasks module, as values. Each `type` maps to one problem over HTTP. */
export type TaskError =
  /** Unknown, soft-deleted, or not visible to the caller: indistinguishable on purpose. */
  | { type: 'TaskNotFound'; taskId: string }
  | { type: 'Forbidden'; action: TaskAction }
  /** `resource` says what changed when it is not a task. */
  | { type: 'VersionConflict'; currentVersion: number; resource?: 'project' }
  /** The version named by a precondition (HTTP `If-Match`) is not the current one. */
  | { type: 'PreconditionFailed'; currentVersion: number; resource?: 'project' }
  /** One entry per offending field. */
  | { type: 'ValidationFailed'; errors: FieldError[] }
  /** Unknown, or another user's category: never attachable, never revealed. */
  | { type: 'CategoryNotFound'; categoryId: string }
  | { type: 'CategoryExists'; name: string }
  | { type: 'AlreadyAssigned'; categoryId: string }
  /** Unknown, inactive or unverified: none of them can be assigned, and which one is not told. */
  | { type: 'AssigneeNotFound'; assigneeId: string }
  | { type: 'CommentNotFound'; commentId: string }
  | { type: 'AttachmentNotFound'; attachmentId: string }
  | { type: 'FileTooLarge'; maxBytes: number }
  /** The file would take its uploader past their storage quota (STORAGE_QUOTA_BYTES). */
  | { type: 'StorageQuotaExceeded'; quotaBytes: number; usedBytes: number }
  | { type: 'UnsupportedMediaType' }
  /** Unknown, deleted, or the caller is not a member: indistinguishable on purpose. */
  | { type: 'ProjectNotFound'; projectId: string }
  /** The Inbox cannot be renamed, shared, archived, transferred or deleted. */
  | { type: 'PersonalProject'; projectId: string }
  /** An archived project is read-only until it is unarchived. */
  | { type: 'ProjectArchived'; projectId: string }
  /** The owner must transfer the project before leaving it. */
  | { type: 'OwnerCannotLeave'; projectId: string }
  /** The user named is not a member of the (visible) project. */
  | { type: 'MemberNotFound'; userId: string }
  | { type: 'AlreadyMember'; projectId: string }
  | { type: 'AlreadyInvited'; projectId: string }
  /** Unknown, or not addressed to the caller (as far as the caller can tell, the same). */
  | { type: 'InvitationNotFound'; invitationId: string }
  /** Accepted, declined, revoked or expired: nothing can be done with it any more. */
  | { type: 'InvitationClosed'; invitationId: string; status: string }
  | { type: 'RateLimited'; retryAfterSeconds: number }
  /** A move would leave the task assigned to someone who is not a member of the target project. */
  | { type: 'AssigneeNotMember'; assigneeId: string };

export type TaskErrorOf<T extends TaskError['type']> = Extract<TaskError, { type: T }>;

export function validationFailed(errors: FieldError[]): TaskErrorOf<'ValidationFailed'> {
  return { type: 'ValidationFailed', errors };
}

export function forbidden(action: TaskAction): TaskErrorOf<'Forbidden'> {
  return { type: 'Forbidden', action };
}
