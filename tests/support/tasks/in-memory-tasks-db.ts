import type { Attachment } from '../../../src/modules/tasks/domain/attachment.ts';
import type { CategoryProps } from '../../../src/modules/tasks/domain/category.ts';
import type { CommentProps } from '../../../src/modules/tasks/domain/comment.ts';
import type { InvitationProps } from '../../../src/modules/tasks/domain/invitation.ts';
import type { ProjectRole } from '../../../src/modules/tasks/domain/project-role.ts';
import type { ProjectProps } from '../../../src/modules/tasks/domain/project.ts';
import type { TaskEvent } from '../../../src/modules/tasks/domain/task-events.ts';
import type { TaskProps } from '../../../src/modules/tasks/domain/task.ts';

export interface TasksTables {
  projects: Map<string, ProjectProps>;
  /** Roles by project id, then user id. */
  members: Map<string, Map<string, ProjectRole>>;
  /** When each member joined, by `memberKey(projectId, userId)`. */
  joinedAt: Map<string, Date>;
  invitations: Map<string, InvitationProps>;
  tasks: Map<string, TaskProps>;
  categories: Map<string, CategoryProps>;
  comments: Map<string, CommentProps>;
  attachments: Map<string, Attachment>;
  outbox: TaskEvent[];
}

/**
 * The rows every in-memory tasks fake shares, like tables in one database, so that a transaction
 * can roll all of them back together and a task's view can count its comments.
 */
export class InMemoryTasksDb {
  tables: TasksTables = {
    projects: new Map(),
    members: new Map(),
    joinedAt: new Map(),
    invitations: new Map(),
    tasks: new Map(),
    categories: new Map(),
    comments: new Map(),
    attachments: new Map(),
    outbox: [],
  };
  /** How many transactions are open right now. */
  openTransactions = 0;

  snapshot(): TasksTables {
    return structuredClone(this.tables);
  }

  restore(snapshot: TasksTables): void {
    this.tables = snapshot;
  }
}

export const memberKey = (projectId: string, userId: string) => `${projectId}/${userId}`;
