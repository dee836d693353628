import type { Actor } from '../../../src/modules/tasks/application/ports.ts';
import type { Attachment } from '../../../src/modules/tasks/domain/attachment.ts';
import { Category, type CategoryProps } from '../../../src/modules/tasks/domain/category.ts';
import { Comment, type CommentProps } from '../../../src/modules/tasks/domain/comment.ts';
import type { ProjectRole } from '../../../src/modules/tasks/domain/project-role.ts';
import type { TaskAccess } from '../../../src/modules/tasks/domain/task-access.ts';
import { Task, type TaskProps } from '../../../src/modules/tasks/domain/task.ts';

export const OWNER = 'user-owner';
export const ASSIGNEE = 'user-assignee';
export const STRANGER = 'user-stranger';

const INBOXES: Record<string, string> = {
  [OWNER]: '00000000-0000-7000-8000-00000000000a',
  [ASSIGNEE]: '00000000-0000-7000-8000-00000000000b',
  [STRANGER]: '00000000-0000-7000-8000-00000000000c',
};
/** The Inbox id of one of the builders' users (the testbed creates these Inboxes). */
export const inboxOf = (userId: string): string => {
  const id = INBOXES[userId];
  if (id === undefined) throw new Error(`no Inbox for ${userId}`);
  return id;
};

/** The testbed clock's start; builders date their rows a month before it. */
export const NOW = new Date('2030-01-01T00:00:00.000Z');
const BEFORE = new Date('2029-12-01T00:00:00.000Z');

export const as = (userId: string): Actor => ({ userId });

/**
 * A user's standing towards a task in `OWNER`'s Inbox (as `aTask` builds it): the owner is its one
 * member; anyone else (the assignee among them) is none.
 */
export const inInbox = (userId: string, inboxUserId = OWNER): TaskAccess => ({
  projectId: inboxOf(inboxUserId),
  userId,
  role: userId === inboxUserId ? 'owner' : undefined,
  personal: true,
  archived: false,
});

/** A member's (or, without a role, a non-member's) standing in a shared project. */
export const inShared = (
  userId: string,
  role: ProjectRole | undefined,
  archived = false,
): TaskAccess => ({ projectId: SHARED_PROJECT, userId, role, personal: false, archived });

/** The project `inShared` speaks of. */
export const SHARED_PROJECT = '00000000-0000-7000-8000-0000000000ff';
export const minutes = (n: number) => n * 60_000;
export const inFuture = (ms: number, from = NOW) => new Date(from.getTime() + ms);

let built = 0;
/** UUID-shaped like real ids (cursors and the database check them). */
const nextId = () => `00000000-0000-7000-9000-${(built += 1).toString(16).padStart(12, '0')}`;

/** A pending, medium task of `OWNER`, assigned to no one, without dates or categories. */
export function aTask(overrides: Partial<TaskProps> = {}): Task {
  const status = overrides.status ?? 'pending';
  return Task.restore({
    id: nextId(),
    projectId: inboxOf(overrides.ownerId ?? OWNER),
    ownerId: OWNER,
    assigneeId: null,
    title: 'Write the quarterly report',
    description: null,
    status,
    priority: 'medium',
    dueDate: null,
    remindAt: null,
    categoryIds: [],
    createdAt: BEFORE,
    updatedAt: BEFORE,
    completedAt: status === 'completed' ? BEFORE : null,
    deletedAt: null,
    version: 1,
    ...overrides,
  });
}

export function aCategory(overrides: Partial<CategoryProps> = {}): Category {
  const id = overrides.id ?? nextId();
  return Category.restore({
    id,
    userId: OWNER,
    name: `Category ${id}`,
    color: null,
    createdAt: BEFORE,
    ...overrides,
  });
}

export function aComment(overrides: Partial<CommentProps> & { taskId: string }): Comment {
  return Comment.restore({
    id: nextId(),
    authorId: OWNER,
    body: 'Looks good to me.',
    createdAt: BEFORE,
    updatedAt: BEFORE,
    ...overrides,
  });
}

export function anAttachment(
  overrides: Partial<Attachment> & { taskId: string; storageKey: string },
): Attachment {
  return {
    id: nextId(),
    filename: 'notes.txt',
    contentType: 'text/plain',
    sizeBytes: 5,
    sha256: 'not-checked-here',
    uploadedBy: OWNER,
    createdAt: BEFORE,
    ...overrides,
  };
}
