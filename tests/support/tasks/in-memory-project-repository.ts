import type { ProjectRepository } from '../../../src/modules/tasks/application/ports.ts';
import type { ProjectRole } from '../../../src/modules/tasks/domain/project-role.ts';
import { Project } from '../../../src/modules/tasks/domain/project.ts';
import type { InMemoryTasksDb } from './in-memory-tasks-db.ts';

/** Projects and memberships in the shared in-memory tables. */
export class InMemoryProjectRepository implements ProjectRepository {
  private readonly db: InMemoryTasksDb;

  constructor(db: InMemoryTasksDb) {
    this.db = db;
  }

  inboxOf(userId: string): Promise<string | undefined> {
    for (const project of this.db.tables.projects.values()) {
      if (project.inboxUserId === userId) return Promise.resolve(project.id);
    }
    return Promise.resolve(undefined);
  }

  insert(project: Project, ownerId: string): Promise<void> {
    const { projects, members } = this.db.tables;
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
    return Promise.resolve();
  }

  roleOf(projectId: string, userId: string): Promise<ProjectRole | undefined> {
    const project = this.db.tables.projects.get(projectId);
    if (!project || project.deletedAt !== null) return Promise.resolve(undefined);
    return Promise.resolve(this.db.tables.members.get(projectId)?.get(userId));
  }

  /** An Inbox for `userId` with a given id, as registration would have made it. */
  addInbox(userId: string, projectId: string, now = new Date(0)): void {
    const { projects, members } = this.db.tables;
    projects.set(projectId, Project.inbox({ id: projectId, userId }, now).toProps());
    members.set(projectId, new Map([[userId, 'owner']]));
  }
}
