import type { EntityManager } from '@mikro-orm/postgresql';
import type { Kysely } from 'kysely';
import { rowsOf, type OnTheWireRow } from '../../../../shared/infra/typed-statements.ts';
import type {
  InvitableProject,
  InvitationFilter,
  InvitationRepository,
  InvitationView,
} from '../../application/ports.ts';
import { Invitation, INVITATION_STATUSES, type InvitationStatus } from '../../domain/invitation.ts';
import { GRANTABLE_ROLES, type GrantableRole } from '../../domain/project-role.ts';
import { tasksDb } from './tasks-db.ts';
import type { TasksDb } from './tasks.entities.ts';

export class MikroOrmInvitationRepository implements InvitationRepository {
  private readonly em: EntityManager;

  constructor(em: EntityManager) {
    this.em = em;
  }

  async findProject(projectId: string): Promise<InvitableProject | undefined> {
    const [row] = await rowsOf(this.em, projects(tasksDb(this.em), projectId));
    return row && toProject(row);
  }

  async lockProject(projectId: string): Promise<InvitableProject | undefined> {
    // FOR SHARE conflicts with the UPDATE that archives or deletes the project, and with the
    // locks that changes to the project take, while letting other members join alongside.
    const [row] = await rowsOf(this.em, projects(tasksDb(this.em), projectId).forShare());
    return row && toProject(row);
  }

  async expireStale(projectId: string, email: string, now: Date): Promise<void> {
    await tasksDb(this.em)
      .updateTable('project_invitations')
      .set({ status: 'expired' })
      .where('project_id', '=', projectId)
      .where('email', '=', email)
      .where('status', '=', 'pending')
      .where('expires_at', '<=', now)
      .execute();
  }

  async insert(invitation: Invitation): Promise<boolean> {
    const props = invitation.toProps();
    // The partial unique index keeps one pending invitation per project and address; a second
    // is not an error of the statement, so an enclosing transaction stays usable.
    const inserted = await tasksDb(this.em)
      .insertInto('project_invitations')
      .values({
        id: props.id,
        project_id: props.projectId,
        email: props.email,
        role: props.role,
        invited_by: props.invitedBy,
        status: props.status,
        expires_at: props.expiresAt,
        created_at: props.createdAt,
        responded_at: props.respondedAt,
      })
      .onConflict((conflict) =>
        conflict.columns(['project_id', 'email']).where('status', '=', 'pending').doNothing(),
      )
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async findInProject(
    projectId: string,
    invitationId: string,
  ): Promise<InvitationView | undefined> {
    const [row] = await rowsOf(
      this.em,
      invitations(tasksDb(this.em))
        .where('i.id', '=', invitationId)
        .where('i.project_id', '=', projectId),
    );
    return row && toView(row);
  }

  async lock(invitationId: string): Promise<InvitationView | undefined> {
    const [row] = await rowsOf(
      this.em,
      invitations(tasksDb(this.em)).where('i.id', '=', invitationId).forUpdate('i'),
    );
    return row && toView(row);
  }

  async update(invitation: Invitation): Promise<void> {
    const { id, status, respondedAt } = invitation.toProps();
    await tasksDb(this.em)
      .updateTable('project_invitations')
      .set({ status, responded_at: respondedAt })
      .where('id', '=', id)
      .execute();
  }

  async listForProject(
    projectId: string,
    filter: InvitationFilter,
    now: Date,
  ): Promise<InvitationView[]> {
    let query = invitations(tasksDb(this.em)).where('i.project_id', '=', projectId);
    // The filter is on the status as `statusAt` tells it: rows still marked pending but past
    // their expiry count as expired.
    if (filter === 'pending') {
      query = query.where('i.status', '=', 'pending').where('i.expires_at', '>', now);
    } else if (filter === 'expired') {
      query = query.where((eb) =>
        eb.or([
          eb('i.status', '=', 'expired'),
          eb.and([eb('i.status', '=', 'pending'), eb('i.expires_at', '<=', now)]),
        ]),
      );
    } else if (filter !== 'all') {
      query = query.where('i.status', '=', filter);
    }
    const rows = await rowsOf(
      this.em,
      query.orderBy('i.created_at', 'desc').orderBy('i.id', 'desc'),
    );
    return rows.map(toView);
  }

  async listPendingFor(email: string, now: Date): Promise<InvitationView[]> {
    const rows = await rowsOf(
      this.em,
      invitations(tasksDb(this.em))
        .where('i.email', '=', email)
        .where('i.status', '=', 'pending')
        .where('i.expires_at', '>', now)
        .orderBy('i.created_at', 'desc')
        .orderBy('i.id', 'desc'),
    );
    return rows.map(toView);
  }

  async addMember(
    projectId: string,
    userId: string,
    role: GrantableRole,
    joinedAt: Date,
  ): Promise<boolean> {
    const inserted = await tasksDb(this.em)
      .insertInto('project_members')
      .values({ project_id: projectId, user_id: userId, role, joined_at: joinedAt })
      .onConflict((conflict) => conflict.columns(['project_id', 'user_id']).doNothing())
      .returning('user_id')
      .executeTakeFirst();
    return inserted !== undefined;
  }
}

/** A live project, as invitations judge it. */
function projects(db: Kysely<TasksDb>, projectId: string) {
  return db
    .selectFrom('projects')
    .select(['id', 'name', 'inbox_user_id', 'archived_at'])
    .where('id', '=', projectId)
    .where('deleted_at', 'is', null);
}

function toProject(
  row: OnTheWireRow<Awaited<ReturnType<ReturnType<typeof projects>['executeTakeFirstOrThrow']>>>,
): InvitableProject {
  return {
    id: row.id,
    name: row.name,
    isInbox: row.inbox_user_id !== null,
    archived: row.archived_at !== null,
  };
}

/** Invitations of live projects, with their project's name. */
function invitations(db: Kysely<TasksDb>) {
  return db
    .selectFrom('project_invitations as i')
    .innerJoin('projects as p', 'p.id', 'i.project_id')
    .select([
      'i.id',
      'i.project_id',
      'i.email',
      'i.role',
      'i.invited_by',
      'i.status',
      'i.expires_at',
      'i.created_at',
      'i.responded_at',
      'p.name as project_name',
    ])
    .where('p.deleted_at', 'is', null);
}

type InvitationRow = OnTheWireRow<
  Awaited<ReturnType<ReturnType<typeof invitations>['executeTakeFirstOrThrow']>>
>;

function toView(row: InvitationRow): InvitationView {
  return {
    invitation: Invitation.restore({
      id: row.id,
      projectId: row.project_id,
      email: row.email,
      role: grantable(row.role),
      invitedBy: row.invited_by,
      status: invitationStatus(row.status),
      expiresAt: new Date(row.expires_at),
      createdAt: new Date(row.created_at),
      respondedAt: dateOrNull(row.responded_at),
    }),
    projectName: row.project_name,
  };
}

function grantable(role: string): GrantableRole {
  const known = GRANTABLE_ROLES.find((candidate) => candidate === role);
  if (known === undefined) throw new Error(`invitation with unknown role ${role}`);
  return known;
}

function invitationStatus(status: string): InvitationStatus {
  const known = INVITATION_STATUSES.find((candidate) => candidate === status);
  if (known === undefined) throw new Error(`invitation with unknown status ${status}`);
  return known;
}

const dateOrNull = (value: string | null) => (value === null ? null : new Date(value));
