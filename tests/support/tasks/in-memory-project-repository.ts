import type {
  AdminProjectView,
  ChangedTask,
  MemberView,
  ProjectListQuery,
  ProjectRepository,
  ProjectView,
} from '../../../src/modules/tasks/application/ports.ts';
import type { ProjectRole } from '../../../src/modules/tasks/domain/project-role.ts';
import type { TaskAccess } from '../../../src/modules/tasks/domain/task-access.ts';
import { Project, type ProjectProps } from '../../../src/modules/tasks/domain/project.ts';
import type { TaskProps } from '../../../src/modules/tasks/domain/task.ts';
import { memberKey, type InMemoryTasksDb } from './in-memory-tasks-db.ts';

interface Profile {
  email: string;
  fullName: string;
}

/** Projects and memberships in the shared in-memory tables; users' names from `addUser`. */
export class InMemoryProjectRepository implements ProjectRepository {
  private readonly db: InMemoryTasksDb;
  private readonly profiles = new Map<string, Profile>();
  private beforeLock: (() => void) | undefined;

  constructor(db: InMemoryTasksDb) {
    this.db = db;
  }

  /** A user whose email and name members lists show; unknown users show as `<id>@unknown`. */
  addUser(userId: string, profile: Profile): void {
    this.profiles.set(userId, profile);
  }

  inboxOf(userId: string): Promise<string | undefined> {
    for (const project of this.db.tables.projects.values()) {
      if (project.inboxUserId === userId) return Promise.resolve(project.id);
    }
    return Promise.resolve(undefined);
  }

  insert(project: Project, ownerId: string): Promise<void> {
    const { projects, members, joinedAt } = this.db.tables;
    if (projects.has(project.id)) return Promise.reject(new Error('duplicate project id'));
    if (project.inboxUserId !== null) {
      for (const other of projects.values()) {
        if (other.inboxUserId === project.inboxUserId) {
          return Promise.reject(new Error('a second Inbox for one user'));
        }
      }
    }
    projects.set(project.id, project.toProps());
    members.set(project.id, new Map([[ownerId, 'owner']]));
    joinedAt.set(memberKey(project.id, ownerId), project.createdAt);
    return Promise.resolve();
  }

  roleOf(projectId: string, userId: string): Promise<ProjectRole | undefined> {
    if (!this.live(projectId)) return Promise.resolve(undefined);
    return Promise.resolve(this.db.tables.members.get(projectId)?.get(userId));
  }

  findForMember(projectId: string, userId: string): Promise<ProjectView | undefined> {
    const props = this.live(projectId);
    const role = this.db.tables.members.get(projectId)?.get(userId);
    return Promise.resolve(props && role && this.view(props, role));
  }

  listForMember(query: ProjectListQuery): Promise<{ items: ProjectView[]; hasMore: boolean }> {
    const { after } = query;
    const matches: ProjectView[] = [];
    for (const [projectId, roles] of this.db.tables.members) {
      const role = roles.get(query.userId);
      const props = this.live(projectId);
      if (!role || !props || (props.archivedAt !== null) !== query.archived) continue;
      if (after && (props.inboxUserId !== null || (!after.isInbox && !isBefore(props, after)))) {
        continue;
      }
      matches.push(this.view(props, role));
    }
    matches.sort((a, b) => listOrder(a.project.toProps(), b.project.toProps()));
    return Promise.resolve({
      items: matches.slice(0, query.limit),
      hasMore: matches.length > query.limit,
    });
  }

  lock(projectId: string): Promise<Project | undefined> {
    const props = this.live(projectId);
    return Promise.resolve(props && Project.restore(props));
  }

  update(project: Project): Promise<void> {
    this.db.tables.projects.set(project.id, project.toProps());
    return Promise.resolve();
  }

  listMembers(projectId: string): Promise<MemberView[]> {
    const roles = this.live(projectId) ? this.db.tables.members.get(projectId) : undefined;
    const members = [...(roles?.keys() ?? [])].map((userId) => this.member(projectId, userId)!);
    members.sort(
      (a, b) => a.joinedAt.getTime() - b.joinedAt.getTime() || compareIds(a.userId, b.userId),
    );
    return Promise.resolve(members);
  }

  findMember(projectId: string, userId: string): Promise<MemberView | undefined> {
    return Promise.resolve(this.live(projectId) ? this.member(projectId, userId) : undefined);
  }

  setRole(projectId: string, userId: string, role: ProjectRole): Promise<void> {
    const roles = this.db.tables.members.get(projectId);
    if (!roles?.has(userId)) return Promise.resolve();
    if (role === 'owner') {
      for (const [other, otherRole] of roles) {
        if (other !== userId && otherRole === 'owner') {
          return Promise.reject(new Error('a second owner for one project'));
        }
      }
    }
    roles.set(userId, role);
    return Promise.resolve();
  }

  removeMember(projectId: string, userId: string): Promise<void> {
    this.db.tables.members.get(projectId)?.delete(userId);
    this.db.tables.joinedAt.delete(memberKey(projectId, userId));
    return Promise.resolve();
  }

  deleteTasks(projectId: string, now: Date): Promise<ChangedTask[]> {
    return Promise.resolve(
      this.changeTasks(
        (t) => t.projectId === projectId && t.deletedAt === null,
        (t) => ({ ...t, deletedAt: now }),
        now,
      ),
    );
  }

  unassignOpenTasks(projectId: string, userId: string, now: Date): Promise<ChangedTask[]> {
    return Promise.resolve(
      this.changeTasks(
        (t) =>
          t.projectId === projectId &&
          t.assigneeId === userId &&
          t.status !== 'completed' &&
          t.deletedAt === null,
        (t) => ({ ...t, assigneeId: null }),
        now,
      ),
    );
  }

  listAll(query: {
    q?: string;
    offset: number;
    limit: number;
  }): Promise<{ items: AdminProjectView[]; total: number }> {
    const needle = query.q?.toLowerCase();
    const matches: AdminProjectView[] = [];
    for (const props of this.db.tables.projects.values()) {
      if (props.deletedAt !== null) continue;
      const roles = this.db.tables.members.get(props.id);
      const ownerId = [...(roles ?? [])].find(([, role]) => role === 'owner')?.[0];
      if (ownerId === undefined) continue;
      const owner = this.profileOf(ownerId);
      const found =
        needle === undefined ||
        props.name.toLowerCase().includes(needle) ||
        owner.email.toLowerCase().includes(needle);
      if (!found) continue;
      const { memberCount, taskCount } = this.view(props, 'owner');
      matches.push({
        project: Project.restore(props),
        owner: { userId: ownerId, ...owner },
        memberCount,
        taskCount,
      });
    }
    matches.sort((a, b) => newestFirst(a.project.toProps(), b.project.toProps()));
    return Promise.resolve({
      items: matches.slice(query.offset, query.offset + query.limit),
      total: matches.length,
    });
  }

  /**
   * A locked read outside a transaction would hold nothing in PostgreSQL, so it fails here; a
   * change `interleaveBeforeNextLock` set up commits just before the lock is granted.
   */
  accessOf(projectId: string, userId: string, lock = false): Promise<TaskAccess | undefined> {
    if (lock) {
      if (this.db.openTransactions === 0) throw new Error('locked access outside a transaction');
      const concurrent = this.beforeLock;
      this.beforeLock = undefined;
      concurrent?.();
    }
    const project = this.db.tables.projects.get(projectId);
    if (!project || project.deletedAt !== null) return Promise.resolve(undefined);
    return Promise.resolve({
      projectId,
      userId,
      role: this.db.tables.members.get(projectId)?.get(userId),
      personal: project.inboxUserId !== null,
      archived: project.archivedAt !== null,
    });
  }

  /** Lets a change by someone else (a removal, a role change, an archiving) commit while the
   * next locked read of a standing waits for its lock: the read sees it, as PostgreSQL's would. */
  interleaveBeforeNextLock(concurrent: () => void): void {
    this.beforeLock = concurrent;
  }

  /** A shared project with these members (and roles), as the project routes would leave it. */
  addShared(projectId: string, members: Record<string, ProjectRole>, now = new Date(0)): void {
    const created = Project.create({ id: projectId, name: 'Shared' }, now)._unsafeUnwrap();
    this.db.tables.projects.set(projectId, created.toProps());
    this.db.tables.members.set(projectId, new Map());
    for (const [userId, role] of Object.entries(members)) {
      this.addMember(projectId, userId, role, now);
    }
  }

  /** An Inbox for `userId` with a given id, as registration would have made it. */
  addInbox(userId: string, projectId: string, now = new Date(0)): void {
    const { projects, members, joinedAt } = this.db.tables;
    projects.set(projectId, Project.inbox({ id: projectId, userId }, now).toProps());
    members.set(projectId, new Map([[userId, 'owner']]));
    joinedAt.set(memberKey(projectId, userId), now);
  }

  /** A member added as an accepted invitation would add them. */
  addMember(projectId: string, userId: string, role: ProjectRole, now = new Date(0)): void {
    this.db.tables.members.get(projectId)?.set(userId, role);
    this.db.tables.joinedAt.set(memberKey(projectId, userId), now);
  }

  private live(projectId: string): ProjectProps | undefined {
    const props = this.db.tables.projects.get(projectId);
    return props && props.deletedAt === null ? props : undefined;
  }

  private view(props: ProjectProps, role: ProjectRole): ProjectView {
    let taskCount = 0;
    for (const task of this.db.tables.tasks.values()) {
      if (task.projectId === props.id && task.deletedAt === null) taskCount += 1;
    }
    return {
      project: Project.restore(props),
      role,
      memberCount: this.db.tables.members.get(props.id)?.size ?? 0,
      taskCount,
    };
  }

  private member(projectId: string, userId: string): MemberView | undefined {
    const role = this.db.tables.members.get(projectId)?.get(userId);
    if (!role) return undefined;
    const joinedAt = this.db.tables.joinedAt.get(memberKey(projectId, userId)) ?? new Date(0);
    return { userId, ...this.profileOf(userId), role, joinedAt };
  }

  private profileOf(userId: string): Profile {
    return this.profiles.get(userId) ?? { email: `${userId}@unknown`, fullName: userId };
  }

  private changeTasks(
    matches: (task: TaskProps) => boolean,
    change: (task: TaskProps) => TaskProps,
    now: Date,
  ): ChangedTask[] {
    const changed: ChangedTask[] = [];
    for (const task of this.db.tables.tasks.values()) {
      if (!matches(task)) continue;
      const next = { ...change(task), updatedAt: now, version: task.version + 1 };
      this.db.tables.tasks.set(task.id, next);
      changed.push(withoutCategories(next));
    }
    return changed;
  }
}

const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function newestFirst(a: ProjectProps, b: ProjectProps): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || compareIds(b.id, a.id);
}

/** The Inbox first, then newest first. */
function listOrder(a: ProjectProps, b: ProjectProps): number {
  const inbox = Number(b.inboxUserId !== null) - Number(a.inboxUserId !== null);
  return inbox || newestFirst(a, b);
}

function isBefore(props: ProjectProps, after: { createdAt: Date; id: string }): boolean {
  const byTime = props.createdAt.getTime() - after.createdAt.getTime();
  return byTime < 0 || (byTime === 0 && props.id < after.id);
}

function withoutCategories(task: TaskProps): ChangedTask {
  const changed: Partial<TaskProps> = { ...task };
  delete changed.categoryIds;
  return changed as ChangedTask;
}
