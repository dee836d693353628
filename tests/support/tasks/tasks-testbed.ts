import type { TasksPorts } from '../../../src/modules/tasks/application/ports.ts';
import type { Attachment } from '../../../src/modules/tasks/domain/attachment.ts';
import type { CategoryProps } from '../../../src/modules/tasks/domain/category.ts';
import type { CommentProps } from '../../../src/modules/tasks/domain/comment.ts';
import type { TaskProps } from '../../../src/modules/tasks/domain/task.ts';
import { FixedClock } from '../identity/fixed-clock.ts';
import { InMemoryRateLimiter } from '../identity/in-memory-rate-limiter.ts';
import { RecordingFailureReporter } from '../identity/recording-failure-reporter.ts';
import { SequentialUuids } from './sequential-uuids.ts';
import {
  aCategory,
  aComment,
  anAttachment,
  ASSIGNEE,
  aTask,
  inboxOf,
  NOW,
  OWNER,
  STRANGER,
} from './builders.ts';
import { InMemoryAccountDirectory } from './in-memory-account-directory.ts';
import { InMemoryAttachmentRepository } from './in-memory-attachment-repository.ts';
import { InMemoryCategoryRepository } from './in-memory-category-repository.ts';
import { InMemoryCommentRepository } from './in-memory-comment-repository.ts';
import { InMemoryFileStorage } from './in-memory-file-storage.ts';
import { InMemoryInvitationRepository } from './in-memory-invitation-repository.ts';
import { InMemoryOutbox } from './in-memory-outbox.ts';
import { InMemoryProjectRepository } from './in-memory-project-repository.ts';
import { InMemoryTaskRepository } from './in-memory-task-repository.ts';
import { InMemoryTasksDb } from './in-memory-tasks-db.ts';
import { InMemoryTransactions } from './in-memory-transactions.ts';
import { InMemoryUserDirectory } from './in-memory-user-directory.ts';
import { RecordingProjectMails } from './recording-project-mails.ts';

export const REMINDER_LEAD_MINUTES = 60;
export const STORAGE_QUOTA_BYTES = 100 * 1024 * 1024;

/**
 * Every tasks port as an in-memory fake over one shared set of tables, typed concretely so tests
 * can inspect them. `OWNER`, `ASSIGNEE` and `STRANGER` exist as active, verified users, each
 * with their Inbox (`inboxOf(user)`).
 */
export function tasksTestbed() {
  const db = new InMemoryTasksDb();
  const clock = new FixedClock(NOW);
  const ports = {
    projects: new InMemoryProjectRepository(db),
    invitations: new InMemoryInvitationRepository(db),
    accounts: new InMemoryAccountDirectory(),
    projectMails: new RecordingProjectMails(),
    rateLimiter: new InMemoryRateLimiter(clock),
    tasks: new InMemoryTaskRepository(db),
    categories: new InMemoryCategoryRepository(db),
    comments: new InMemoryCommentRepository(db),
    attachments: new InMemoryAttachmentRepository(db),
    outbox: new InMemoryOutbox(db),
    users: new InMemoryUserDirectory(),
    files: new InMemoryFileStorage(),
    reminders: { leadMinutes: REMINDER_LEAD_MINUTES },
    storageQuota: { bytesPerUser: STORAGE_QUOTA_BYTES },
    ids: new SequentialUuids(),
    clock,
    transactions: new InMemoryTransactions(db),
    failures: new RecordingFailureReporter(),
  } satisfies TasksPorts;
  for (const id of [OWNER, ASSIGNEE, STRANGER]) {
    ports.users.add(id);
    ports.accounts.add(id);
    ports.projects.addInbox(id, inboxOf(id));
  }

  return {
    ...ports,
    ports,
    db,
    seedTask: (overrides: Partial<TaskProps> = {}) => ports.tasks.add(aTask(overrides)),
    seedCategory: (overrides: Partial<CategoryProps> = {}) =>
      ports.categories.add(aCategory(overrides)),
    seedComment: (overrides: Partial<CommentProps> & { taskId: string }) =>
      ports.comments.add(aComment(overrides)),
    /** An attachment row with its blob in storage. */
    seedAttachment: (overrides: Partial<Attachment> & { taskId: string }) =>
      ports.attachments.add(
        anAttachment({
          storageKey: ports.files.seed(new TextEncoder().encode('hello')),
          ...overrides,
        }),
      ),
  };
}

export type TasksTestbed = ReturnType<typeof tasksTestbed>;
