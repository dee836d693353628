import type { Clock } from '../../../shared/domain/clock.ts';
import type { FailureReporter } from '../../../shared/domain/failure-reporter.ts';
import type { IdGenerator } from '../../../shared/domain/id-generator.ts';
import type { RateLimiter } from '../../../shared/domain/rate-limiter.ts';
import type { TransactionRunner } from '../../../shared/domain/transaction-runner.ts';
import type { Attachment } from '../domain/attachment.ts';
import type { Category } from '../domain/category.ts';
import type { Comment } from '../domain/comment.ts';
import type { Invitation, InvitationStatus } from '../domain/invitation.ts';
import type { Project } from '../domain/project.ts';
import type { GrantableRole, ProjectRole } from '../domain/project-role.ts';
import type { TaskAccess, TaskParties } from '../domain/task-access.ts';
import type { WorkEvent } from '../domain/task-events.ts';
import type { TaskPriority, TaskStatus } from '../domain/task-fields.ts';
import type { Task, TaskProps } from '../domain/task.ts';
import type { FileStorage } from './support/file-storage.ts';
import type { TaskKeysetPosition, TaskScope, TaskSort } from './support/task-sort.ts';

export type { FileStorage };

/** The authenticated caller every use case acts for. */
export interface Actor {
  userId: string;
}

/** A task as the API shows it: its categories (ordered by name) and how much hangs off it. */
export interface TaskView {
  task: Task;
  categories: Category[];
  commentCount: number;
  attachmentCount: number;
}

/** A task as the caller may see it, with what the caller is in its project. */
export interface VisibleTask extends TaskView {
  access: TaskAccess;
}

export type TaskWriteOutcome =
  | { type: 'written' }
  /** Another write got there first; the task is still live at `currentVersion`. */
  | { type: 'conflict'; currentVersion: number }
  /** The task was soft-deleted (or never existed) meanwhile. */
  | { type: 'gone' };

export interface TaskListQuery {
  /**
   * Whose view: the tasks `findVisible` shows them (those of the live projects they are a member
   * of, and those assigned to them in another user's live Inbox), narrowed by `scope` (`owned`:
   * of those, the ones they created; `assigned`: of those, the ones assigned to them).
   */
  userId: string;
  scope: TaskScope;
  /** Only tasks of this project (still only the visible ones). */
  projectId?: string;
  status?: TaskStatus;
  priority?: TaskPriority;
  /** Inclusive bounds on the due date; either one leaves out tasks without a due date. */
  dueFrom?: Date;
  dueTo?: Date;
  categoryId?: string;
  assigneeId?: string;
  /** Case-insensitive substring of the title or the description, taken literally (`%` is no wildcard). */
  q?: string;
  /**
   * Order by the sort field, then by id in the same direction, so the order is total. Tasks
   * without a due date come last both ways; `priority` follows `TASK_PRIORITIES` (low first).
   */
  sort: TaskSort;
  limit: number;
  /** Skip `offset` matches, or continue strictly after a position in the same sort. */
  window: { type: 'offset'; offset: number } | { type: 'after'; position: TaskKeysetPosition };
  /** `false` spares counting every match (the count costs more than the page for big lists). */
  withTotal?: boolean;
}

/** Tasks, never soft-deleted ones, with their category ids. */
export interface TaskRepository {
  /**
   * The live task in a live project if `userId` may see it (`canView`), with their role there, in
   * one statement.
   */
  findVisible(taskId: string, userId: string): Promise<VisibleTask | undefined>;
  /** Those of `userIds` who may see the live task now (`canView`); none for an unknown task. */
  whoCanSee(taskId: string, userIds: readonly string[]): Promise<string[]>;
  insert(task: Task): Promise<void>;
  /**
   * Who may see the task, soft-deleted or not, read under a lock that holds off every change to
   * it (assignment, move, deletion) until the surrounding transaction ends; undefined for an unknown
   * task. Only meaningful inside `TransactionRunner.run`.
   */
  lockParties(taskId: string): Promise<TaskParties | undefined>;
  /**
   * Writes every field of `task`, its category ids included, only if the stored task is live at
   * `expectedVersion`; the stored version becomes `task.version`.
   */
  update(task: Task, expectedVersion: number): Promise<TaskWriteOutcome>;
  /**
   * One window of the matches; `total` counts every match (`undefined` when the query asked for
   * none), `hasMore` whether any follows.
   */
  list(
    query: TaskListQuery,
  ): Promise<{ items: TaskView[]; total: number | undefined; hasMore: boolean }>;
}

/** Categories, each owned by one user; names are unique per user by `categoryNameKey`. */
export interface CategoryRepository {
  findOwned(userId: string, categoryId: string): Promise<Category | undefined>;
  /** Those of `categoryIds` that `userId` owns; unknown ids and other users' are left out. */
  findOwnedMany(userId: string, categoryIds: readonly string[]): Promise<Category[]>;
  /** Ordered by name, case-insensitively. */
  listOwned(userId: string): Promise<Category[]>;
  /** Resolves `false` when the user already has a category of that name (unique violation). */
  insert(category: Category): Promise<boolean>;
  /** Resolves `false` when the new name is taken by another of the user's categories. */
  update(category: Category): Promise<boolean>;
  /**
   * Deletes the category and detaches it from every task; those tasks' `version` and
   * `updated_at` (`now`) move, since what they show changed.
   */
  delete(categoryId: string, now: Date): Promise<void>;
}

export interface CommentRepository {
  insert(comment: Comment): Promise<void>;
  findInTask(taskId: string, commentId: string): Promise<Comment | undefined>;
  update(comment: Comment): Promise<void>;
  delete(commentId: string): Promise<void>;
  /** Everyone who has a comment on the task, once each. */
  authorsOf(taskId: string): Promise<string[]>;
  /** Oldest first (then by id). */
  listForTask(
    taskId: string,
    window: { offset: number; limit: number },
  ): Promise<{ items: Comment[]; total: number }>;
}

export interface AttachmentRepository {
  insert(attachment: Attachment): Promise<void>;
  /** The bytes of every attachment `userId` uploaded that is still stored (deleted tasks' too). */
  usageOf(userId: string): Promise<number>;
  /**
   * `usageOf`, read after taking a lock that holds off every other `lockUsage` of the same user
   * until the surrounding transaction ends, so check-then-insert cannot overshoot a quota.
   */
  lockUsage(userId: string): Promise<number>;
  findInTask(taskId: string, attachmentId: string): Promise<Attachment | undefined>;
  delete(attachmentId: string): Promise<void>;
  /** Oldest first (then by id). */
  listForTask(taskId: string): Promise<Attachment[]>;
}

/** Events for the notifications module; appended inside the transaction of the change. */
export interface Outbox {
  append(events: readonly WorkEvent[]): Promise<void>;
}

/** What the tasks module needs to know about a user it is asked to assign. */
/** What the tasks module needs to know of a user it may assign a task to. */
export interface AssignableUser {
  id: string;
  isActive: boolean;
  emailVerified: boolean;
}

export interface UserDirectory {
  findAssignable(userId: string): Promise<AssignableUser | undefined>;
  /**
   * Whether the user is an active site admin now, as stored: a demotion takes effect at once,
   * not when the access token that carries the old role expires.
   */
  isSiteAdmin(userId: string): Promise<boolean>;
}

export interface ReminderSettings {
  /** REMINDER_LEAD_MINUTES: how long before the due date a task without `remind_at` reminds. */
  leadMinutes: number;
}

export interface StorageQuota {
  /** STORAGE_QUOTA_BYTES: what one user's attachments may take in all. */
  bytesPerUser: number;
}

/** Projects and who belongs to them. */
export interface ProjectRepository {
  /** The id of the user's Inbox; every user has one from registration on. */
  inboxOf(userId: string): Promise<string | undefined>;
  /** Stores a new project with `ownerId` as its one member, role `owner`. */
  insert(project: Project, ownerId: string): Promise<void>;
  /** The user's role in a live (not deleted) project; undefined when they are not a member. */
  roleOf(projectId: string, userId: string): Promise<ProjectRole | undefined>;
  /**
   * The user's standing in a live project (role undefined for a non-member); undefined for an
   * unknown or deleted project. With `lock`, the project row and the membership row are read
   * under locks that hold off a role change, a removal, an archiving and a deletion until the
   * surrounding transaction ends (only meaningful inside `TransactionRunner.run`).
   */
  accessOf(projectId: string, userId: string, lock?: boolean): Promise<TaskAccess | undefined>;
  /** The live project as `userId` sees it; undefined unless they are a member. */
  findForMember(projectId: string, userId: string): Promise<ProjectView | undefined>;
  /** One window of the user's live projects: the Inbox first, then newest first (`created_at`, then `id`, descending). */
  listForMember(query: ProjectListQuery): Promise<{ items: ProjectView[]; hasMore: boolean }>;
  /**
   * The live project, read under a lock that holds off every other `lock` of it (and every
   * change to the row) until the surrounding transaction ends: project writes and membership
   * changes of one project happen one after the other. Only meaningful inside `TransactionRunner.run`.
   */
  lock(projectId: string): Promise<Project | undefined>;
  /** Writes the project's fields (under `lock`). */
  update(project: Project): Promise<void>;
  /** Ordered by join time, then user id. */
  listMembers(projectId: string): Promise<MemberView[]>;
  findMember(projectId: string, userId: string): Promise<MemberView | undefined>;
  /** Writes the role of an existing member; one owner per project is a database invariant. */
  setRole(projectId: string, userId: string, role: ProjectRole): Promise<void>;
  removeMember(projectId: string, userId: string): Promise<void>;
  /**
   * Soft-deletes every live task of the project (version and `updated_at` move) and returns them
   * as they are now, for their events.
   */
  deleteTasks(projectId: string, now: Date): Promise<ChangedTask[]>;
  /**
   * Unassigns `userId` from their open (not completed) live tasks in the project (version and
   * `updated_at` move) and returns those tasks as they are now, for their events.
   */
  unassignOpenTasks(projectId: string, userId: string, now: Date): Promise<ChangedTask[]>;
  /** Every live project, newest first, with its owner: the site admin's view. */
  listAll(query: {
    q?: string;
    offset: number;
    limit: number;
  }): Promise<{ items: AdminProjectView[]; total: number }>;
}

/** A project as one member sees it, with the counts its representation shows. */
export interface ProjectView {
  project: Project;
  role: ProjectRole;
  memberCount: number;
  /** Live (not deleted) tasks. */
  taskCount: number;
}

/** Where a page of "my projects" continues: strictly after this project in the list order. */
export interface ProjectKeysetPosition {
  isInbox: boolean;
  createdAt: Date;
  id: string;
}

export interface ProjectListQuery {
  userId: string;
  /** Archived projects only, or unarchived ones only (the Inbox is never archived). */
  archived: boolean;
  limit: number;
  after?: ProjectKeysetPosition;
}

export interface MemberView {
  userId: string;
  email: string;
  fullName: string;
  role: ProjectRole;
  joinedAt: Date;
}

export interface AdminProjectView {
  project: Project;
  owner: { userId: string; email: string; fullName: string };
  memberCount: number;
  taskCount: number;
}

/**
 * A task a bulk change wrote, as it is after the change. Events never read a task's categories,
 * so a bulk change does not load them.
 */
export type ChangedTask = Omit<TaskProps, 'categoryIds'>;

/** An invitation as the API shows it, with the name of its project. */
export interface InvitationView {
  invitation: Invitation;
  projectName: string;
}

/** What invitations need to know of a live project. */
export interface InvitableProject {
  id: string;
  name: string;
  isInbox: boolean;
  archived: boolean;
}

/** Which of a project's invitations a list shows: one status (as `statusAt` tells it), or all. */
export type InvitationFilter = InvitationStatus | 'all';

/** Invitations to projects, and the memberships accepting them creates. */
export interface InvitationRepository {
  /** The project if it is live (not deleted). */
  findProject(projectId: string): Promise<InvitableProject | undefined>;
  /**
   * `findProject`, read under a lock that holds off every change to the project's row (archiving,
   * deleting) until the surrounding transaction ends, so a member never joins a project that was
   * archived meanwhile. Only meaningful inside `TransactionRunner.run`.
   */
  lockProject(projectId: string): Promise<InvitableProject | undefined>;
  /**
   * Rewrites the project's pending invitations to `email` that have expired at `now` as
   * `expired`, so that they no longer hold the one pending place per project and address.
   */
  expireStale(projectId: string, email: string, now: Date): Promise<void>;
  /** Resolves `false` when the project has a pending invitation to the address already. */
  insert(invitation: Invitation): Promise<boolean>;
  /** One invitation of a live project. */
  findInProject(projectId: string, invitationId: string): Promise<InvitationView | undefined>;
  /**
   * The invitation, if its project is live, read under a lock that holds off every other `lock`
   * of it until the surrounding transaction ends. Only meaningful inside `TransactionRunner.run`.
   */
  lock(invitationId: string): Promise<InvitationView | undefined>;
  /** Writes the status and the time of the answer. */
  update(invitation: Invitation): Promise<void>;
  /** Newest first. */
  listForProject(projectId: string, filter: InvitationFilter, now: Date): Promise<InvitationView[]>;
  /** Pending, unexpired invitations to `email` into live projects, newest first. */
  listPendingFor(email: string, now: Date): Promise<InvitationView[]>;
  /** Adds a member; resolves `false` (and changes nothing) when they are one already. */
  addMember(
    projectId: string,
    userId: string,
    role: GrantableRole,
    joinedAt: Date,
  ): Promise<boolean>;
}

/** An account as invitations see it: who owns an address, and whether they proved it. */
export interface Account {
  id: string;
  email: string;
  fullName: string;
  emailVerified: boolean;
  isActive: boolean;
}

export interface AccountDirectory {
  findById(userId: string): Promise<Account | undefined>;
  /** By the address as accounts store it (trimmed, lower-cased). */
  findByEmail(normalisedEmail: string): Promise<Account | undefined>;
}

export interface InvitationMail {
  to: string;
  projectName: string;
  inviterName: string;
  role: GrantableRole;
  expiresAt: Date;
}

/** Mail about projects. Delivery happens in the background: sending never fails the caller. */
export interface ProjectMails {
  invitation(mail: InvitationMail): Promise<void>;
}

/** Every port of the tasks module; each use case takes the subset it names (`Pick`). */
export interface TasksPorts {
  projects: ProjectRepository;
  invitations: InvitationRepository;
  accounts: AccountDirectory;
  projectMails: ProjectMails;
  rateLimiter: RateLimiter;
  tasks: TaskRepository;
  categories: CategoryRepository;
  comments: CommentRepository;
  attachments: AttachmentRepository;
  outbox: Outbox;
  users: UserDirectory;
  files: FileStorage;
  reminders: ReminderSettings;
  storageQuota: StorageQuota;
  ids: IdGenerator;
  clock: Clock;
  transactions: TransactionRunner;
  failures: FailureReporter;
}
