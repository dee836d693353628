import type {
  InvitableProject,
  InvitationFilter,
  InvitationRepository,
  InvitationView,
} from '../../../src/modules/tasks/application/ports.ts';
import { Invitation, type InvitationProps } from '../../../src/modules/tasks/domain/invitation.ts';
import type { GrantableRole, ProjectRole } from '../../../src/modules/tasks/domain/project-role.ts';
import type { InMemoryTasksDb } from './in-memory-tasks-db.ts';

/** Invitations and the memberships they create, in the shared in-memory tables. */
export class InMemoryInvitationRepository implements InvitationRepository {
  private readonly db: InMemoryTasksDb;

  constructor(db: InMemoryTasksDb) {
    this.db = db;
  }

  findProject(projectId: string): Promise<InvitableProject | undefined> {
    const project = this.liveProject(projectId);
    return Promise.resolve(
      project && {
        id: project.id,
        name: project.name,
        isInbox: project.inboxUserId !== null,
        archived: project.archivedAt !== null,
      },
    );
  }

  lockProject(projectId: string): Promise<InvitableProject | undefined> {
    if (this.db.openTransactions === 0) {
      return Promise.reject(new Error('lock outside a transaction'));
    }
    return this.findProject(projectId);
  }

  expireStale(projectId: string, email: string, now: Date): Promise<void> {
    for (const row of this.db.tables.invitations.values()) {
      if (
        row.projectId === projectId &&
        row.email === email &&
        row.status === 'pending' &&
        row.expiresAt.getTime() <= now.getTime()
      ) {
        row.status = 'expired';
      }
    }
    return Promise.resolve();
  }

  insert(invitation: Invitation): Promise<boolean> {
    const props = invitation.toProps();
    const { invitations } = this.db.tables;
    if (invitations.has(props.id)) return Promise.reject(new Error('duplicate invitation id'));
    for (const row of invitations.values()) {
      if (
        row.projectId === props.projectId &&
        row.email === props.email &&
        row.status === 'pending'
      ) {
        return Promise.resolve(false);
      }
    }
    invitations.set(props.id, props);
    return Promise.resolve(true);
  }

  findInProject(projectId: string, invitationId: string): Promise<InvitationView | undefined> {
    const row = this.db.tables.invitations.get(invitationId);
    return Promise.resolve(row?.projectId === projectId ? this.viewOf(row) : undefined);
  }

  lock(invitationId: string): Promise<InvitationView | undefined> {
    if (this.db.openTransactions === 0) {
      return Promise.reject(new Error('lock outside a transaction'));
    }
    const row = this.db.tables.invitations.get(invitationId);
    return Promise.resolve(row && this.viewOf(row));
  }

  update(invitation: Invitation): Promise<void> {
    const { id, status, respondedAt } = invitation.toProps();
    const row = this.db.tables.invitations.get(id);
    if (row) Object.assign(row, { status, respondedAt });
    return Promise.resolve();
  }

  listForProject(
    projectId: string,
    filter: InvitationFilter,
    now: Date,
  ): Promise<InvitationView[]> {
    return Promise.resolve(
      this.views((row) => row.projectId === projectId).filter(
        ({ invitation }) => filter === 'all' || invitation.statusAt(now) === filter,
      ),
    );
  }

  listPendingFor(email: string, now: Date): Promise<InvitationView[]> {
    return Promise.resolve(
      this.views((row) => row.email === email).filter(
        ({ invitation }) => invitation.statusAt(now) === 'pending',
      ),
    );
  }

  addMember(projectId: string, userId: string, role: GrantableRole): Promise<boolean> {
    const { members } = this.db.tables;
    const roles = members.get(projectId) ?? new Map<string, ProjectRole>();
    if (roles.has(userId)) return Promise.resolve(false);
    roles.set(userId, role);
    members.set(projectId, roles);
    return Promise.resolve(true);
  }

  /** A stored invitation as it is now (tests inspect it). */
  stored(invitationId: string): InvitationProps | undefined {
    const row = this.db.tables.invitations.get(invitationId);
    return row && { ...row };
  }

  private liveProject(projectId: string) {
    const project = this.db.tables.projects.get(projectId);
    return project && project.deletedAt === null ? project : undefined;
  }

  /** Newest first (then by id), in live projects only, as the SQL orders them. */
  private views(keep: (row: InvitationProps) => boolean): InvitationView[] {
    return [...this.db.tables.invitations.values()]
      .filter(keep)
      .flatMap((row) => {
        const view = this.viewOf(row);
        return view ? [view] : [];
      })
      .sort(
        (a, b) =>
          b.invitation.createdAt.getTime() - a.invitation.createdAt.getTime() ||
          (a.invitation.id < b.invitation.id ? 1 : a.invitation.id > b.invitation.id ? -1 : 0),
      );
  }

  private viewOf(row: InvitationProps): InvitationView | undefined {
    const project = this.liveProject(row.projectId);
    return project && { invitation: Invitation.restore(row), projectName: project.name };
  }
}
