/**
 * Who may do what with a task: it is visible to its owner and its assignee; the owner may do
 * everything, the assignee may change the status, comment and attach files.
 * Soft-deleted tasks are visible to no one.
 */
export interface TaskParties {
  readonly ownerId: string;
  readonly assigneeId: string | null;
  readonly deletedAt: Date | null;
}

export function canView(task: TaskParties, userId: string): boolean {
  return task.deletedAt === null && (task.ownerId === userId || task.assigneeId === userId);
}

/** Every change other than the status, assignment and categories included. */
export function canEdit(task: TaskParties, userId: string): boolean {
  return task.deletedAt === null && task.ownerId === userId;
}

export function canChangeStatus(task: TaskParties, userId: string): boolean {
  return canView(task, userId);
}

export function canComment(task: TaskParties, userId: string): boolean {
  return canView(task, userId);
}

export function canAttach(task: TaskParties, userId: string): boolean {
  return canView(task, userId);
}

/** Only the author edits a comment: words must not be put in anyone's mouth, the owner's neither. */
export function canEditComment(comment: { readonly authorId: string }, userId: string): boolean {
  return comment.authorId === userId;
}

export function canDeleteComment(
  task: TaskParties,
  comment: { readonly authorId: string },
  userId: string,
): boolean {
  return canView(task, userId) && (comment.authorId === userId || canEdit(task, userId));
}

export function canDeleteAttachment(
  task: TaskParties,
  attachment: { readonly uploadedBy: string },
  userId: string,
): boolean {
  return canView(task, userId) && (attachment.uploadedBy === userId || canEdit(task, userId));
}
