import type { EntityManager } from '@mikro-orm/postgresql';
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { IdentityTables } from '../../../identity/index.ts';
import { rowsOf, StatementCache } from '../../../../shared/infra/typed-statements.ts';
import type {
  AdminProjectView,
  ChangedTask,
  MemberView,
  ProjectListQuery,
  ProjectRepository,
  ProjectView,
} from '../../application/ports.ts';
import { isProjectRole, type ProjectRole } from '../../domain/project-role.ts';
import type { TaskAccess } from '../../domain/task-access.ts';
import { Project } from '../../domain/project.ts';
import type { TaskPriority, TaskStatus } from '../../domain/task-fields.ts';
import { ProjectMemberRecord, ProjectRecord } from './projects.entities.ts';
import { tasksDb } from './tasks-db.ts';
import type { TasksDb } from './tasks.entities.ts';

/** The project tables, and identity's users for members' names and emails. */
type ProjectsDb = TasksDb & Pick<IdentityTables, 'users'>;
const projectsDb = (em: EntityManager): Kysely<ProjectsDb> => em.getKysely<ProjectsDb>();

type ProjectTable = { p: TasksDb['projects'] };

const PROJECT_COLUMNS = [
  'p.id',
  'p.name',
  'p.description',
  'p.color',
  'p.inbox_user_id',
  'p.archived_at',
  'p.deleted_at',
  'p.created_at',
  'p.updated_at',
  'p.version',
] as const;

/** Both counts in the project's own row: one statement for a whole list, no N+1. */
function countColumns(eb: ExpressionBuilder<TasksDb & ProjectTable, 'p'>) {
  return [
    eb
      .selectFrom('project_members as pm')
      .select((sub) => sub.cast<number>(sub.fn.countAll(), 'integer').as('n'))
      .whereRef('pm.project_id', '=', 'p.id')
      .$asScalar()
      .as('member_count'),
    eb
      .selectFrom('tasks as t')
      .select((sub) => sub.cast<number>(sub.fn.countAll(), 'integer').as('n'))
      .whereRef('t.project_id', '=', 'p.id')
      .where('t.deleted_at', 'is', null)
      .$asScalar()
      .as('task_count'),
  ] as const;
}

interface ProjectRow {
  id: string;
  name: string;
  description: string | null;
  color: string | null;
  inbox_user_id: string | null;
  archived_at: string | Date | null;
  deleted_at: string | Date | null;
  created_at: string | Date;
  updated_at: string | Date;
  version: number;
}

const date = (value: string | Date) => new Date(value);
const maybeDate = (value: string | Date | null) => (value === null ? null : new Date(value));

function toProject(row: ProjectRow): Project {
  return Project.restore({
    id: row.id,
    name: row.name,
    description: row.description,
    color: row.color,
    inboxUserId: row.inbox_user_id,
    archivedAt: maybeDate(row.archived_at),
    deletedAt: maybeDate(row.deleted_at),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
    version: row.version,
  });
}

function roleFrom(value: string): ProjectRole {
  if (!isProjectRole(value)) throw new Error(`project member with unknown role ${value}`);
  return value;
}

export class MikroOrmProjectRepository implements ProjectRepository {
  private readonly em: EntityManager;

  constructor(em: EntityManager) {
    this.em = em;
  }

  async inboxOf(userId: string): Promise<string | undefined> {
    // Every task created without a project asks this: compiled once, prepared.
    const statement = inboxStatements.bind('inbox', { userId }, (v) =>
      tasksDb(this.em).selectFrom('projects').select('id').where('inbox_user_id', '=', v.userId),
    );
    const [row] = await rowsOf(this.em, statement);
    return row?.id;
  }

  async insert(project: Project, ownerId: string): Promise<void> {
    const props = project.toProps();
    await this.em.transactional(async (em) => {
      await em.insert(ProjectRecord, props);
      await em.insert(ProjectMemberRecord, {
        projectId: props.id,
        userId: ownerId,
        role: 'owner',
        joinedAt: props.createdAt,
      });
    });
  }

  async roleOf(projectId: string, userId: string): Promise<ProjectRole | undefined> {
    const statement = roleStatements.bind('role', { projectId, userId }, (v) =>
      tasksDb(this.em)
        .selectFrom('project_members as m')
        .innerJoin('projects as p', 'p.id', 'm.project_id')
        .select('m.role')
        .where('m.project_id', '=', v.projectId)
        .where('m.user_id', '=', v.userId)
        .where('p.deleted_at', 'is', null),
    );
    const [row] = await rowsOf(this.em, statement);
    return row ? roleFrom(row.role) : undefined;
  }

  async accessOf(projectId: string, userId: string, lock = false): Promise<TaskAccess | undefined> {
    if (lock) return this.lockAccess(projectId, userId);
    const statement = accessStatements.bind('access', { projectId, userId }, (v) =>
      tasksDb(this.em)
        .selectFrom('projects as p')
        .leftJoin('project_members as m', (join) =>
          join.onRef('m.project_id', '=', 'p.id').on('m.user_id', '=', v.userId),
        )
        .select(['m.role', 'p.inbox_user_id', 'p.archived_at'])
        .where('p.id', '=', v.projectId)
        .where('p.deleted_at', 'is', null),
    );
    const [row] = await rowsOf(this.em, statement);
    if (!row) return undefined;
    return {
      projectId,
      userId,
      role: row.role === null ? undefined : roleFrom(row.role),
      personal: row.inbox_user_id !== null,
      archived: row.archived_at !== null,
    };
  }

  /**
   * FOR SHARE on both rows: archiving or deleting the project updates its row, a role change
   * updates the membership row and a removal deletes it, so each waits for the caller's commit,
   * or has committed before and is seen here.
   */
  private async lockAccess(projectId: string, userId: string): Promise<TaskAccess | undefined> {
    const db = tasksDb(this.em);
    const project = await db
      .selectFrom('projects')
      .select(['inbox_user_id', 'archived_at'])
      .where('id', '=', projectId)
      .where('deleted_at', 'is', null)
      .forShare()
      .executeTakeFirst();
    if (!project) return undefined;
    const member = await db
      .selectFrom('project_members')
      .select('role')
      .where('project_id', '=', projectId)
      .where('user_id', '=', userId)
      .forShare()
      .executeTakeFirst();
    return {
      projectId,
      userId,
      role: member && roleFrom(member.role),
      personal: project.inbox_user_id !== null,
      archived: project.archived_at !== null,
    };
  }

  async findForMember(projectId: string, userId: string): Promise<ProjectView | undefined> {
    const statement = viewStatements.bind('view', { projectId, userId }, (v) =>
      tasksDb(this.em)
        .selectFrom('projects as p')
        .innerJoin('project_members as m', 'm.project_id', 'p.id')
        .select((eb) => [...PROJECT_COLUMNS, 'm.role', ...countColumns(eb)])
        .where('p.id', '=', v.projectId)
        .where('m.user_id', '=', v.userId)
        .where('p.deleted_at', 'is', null),
    );
    const [row] = await rowsOf(this.em, statement);
    return row && toView(row);
  }

  async listForMember(
    query: ProjectListQuery,
  ): Promise<{ items: ProjectView[]; hasMore: boolean }> {
    const { after } = query;
    // From the member's index to their projects; a user has few, so the sort is cheap.
    let select = tasksDb(this.em)
      .selectFrom('project_members as m')
      .innerJoin('projects as p', 'p.id', 'm.project_id')
      .select((eb) => [...PROJECT_COLUMNS, 'm.role', ...countColumns(eb)])
      .where('m.user_id', '=', query.userId)
      .where('p.deleted_at', 'is', null)
      .where('p.archived_at', query.archived ? 'is not' : 'is', null);
    if (after !== undefined) {
      // After the Inbox come all the others; after another project, the older ones.
      select = after.isInbox
        ? select.where('p.inbox_user_id', 'is', null)
        : select
            .where('p.inbox_user_id', 'is', null)
            .where((eb) =>
              eb(
                eb.refTuple('p.created_at', 'p.id'),
                '<',
                eb.tuple(after.createdAt.toISOString() as never, after.id),
              ),
            );
    }
    const rows = await select
      .orderBy((eb) => eb('p.inbox_user_id', 'is', null))
      .orderBy('p.created_at', 'desc')
      .orderBy('p.id', 'desc')
      .limit(query.limit + 1)
      .execute();
    return {
      items: rows.slice(0, query.limit).map(toView),
      hasMore: rows.length > query.limit,
    };
  }

  async lock(projectId: string): Promise<Project | undefined> {
    const row = await tasksDb(this.em)
      .selectFrom('projects as p')
      .select(PROJECT_COLUMNS)
      .where('p.id', '=', projectId)
      .where('p.deleted_at', 'is', null)
      .forUpdate()
      .executeTakeFirst();
    return row && toProject(row);
  }

  async update(project: Project): Promise<void> {
    const props = project.toProps();
    await tasksDb(this.em)
      .updateTable('projects')
      .set({
        name: props.name,
        description: props.description,
        color: props.color,
        archived_at: props.archivedAt,
        deleted_at: props.deletedAt,
        updated_at: props.updatedAt,
        version: props.version,
      })
      .where('id', '=', props.id)
      .execute();
  }

  async listMembers(projectId: string): Promise<MemberView[]> {
    const rows = await this.members(projectId)
      .orderBy('m.joined_at')
      .orderBy('m.user_id')
      .execute();
    return rows.map(toMember);
  }

  async findMember(projectId: string, userId: string): Promise<MemberView | undefined> {
    const row = await this.members(projectId).where('m.user_id', '=', userId).executeTakeFirst();
    return row && toMember(row);
  }

  async setRole(projectId: string, userId: string, role: ProjectRole): Promise<void> {
    await tasksDb(this.em)
      .updateTable('project_members')
      .set({ role })
      .where('project_id', '=', projectId)
      .where('user_id', '=', userId)
      .execute();
  }

  async removeMember(projectId: string, userId: string): Promise<void> {
    await tasksDb(this.em)
      .deleteFrom('project_members')
      .where('project_id', '=', projectId)
      .where('user_id', '=', userId)
      .execute();
  }

  async deleteTasks(projectId: string, now: Date): Promise<ChangedTask[]> {
    const rows = await tasksDb(this.em)
      .updateTable('tasks')
      .set((eb) => ({ deleted_at: now, updated_at: now, version: eb('version', '+', 1) }))
      .where('project_id', '=', projectId)
      .where('deleted_at', 'is', null)
      .returning(CHANGED_TASK_COLUMNS)
      .execute();
    return rows.map(toChangedTask);
  }

  async unassignOpenTasks(projectId: string, userId: string, now: Date): Promise<ChangedTask[]> {
    const rows = await tasksDb(this.em)
      .updateTable('tasks')
      .set((eb) => ({ assignee_id: null, updated_at: now, version: eb('version', '+', 1) }))
      .where('project_id', '=', projectId)
      .where('assignee_id', '=', userId)
      .where('status', '<>', 'completed')
      .where('deleted_at', 'is', null)
      .returning(CHANGED_TASK_COLUMNS)
      .execute();
    return rows.map(toChangedTask);
  }

  async listAll(query: {
    q?: string;
    offset: number;
    limit: number;
  }): Promise<{ items: AdminProjectView[]; total: number }> {
    const db = projectsDb(this.em);
    const pattern = query.q === undefined ? undefined : `%${escapeLike(query.q)}%`;
    const base = db
      .selectFrom('projects as p')
      .innerJoin('project_members as o', (join) =>
        join.onRef('o.project_id', '=', 'p.id').on('o.role', '=', 'owner'),
      )
      .innerJoin('users as u', 'u.id', 'o.user_id')
      .where('p.deleted_at', 'is', null)
      .$if(pattern !== undefined, (qb) =>
        qb.where((eb) =>
          eb.or([eb('p.name', 'ilike', pattern!), eb('u.email', 'ilike', pattern!)]),
        ),
      );
    const [rows, counted] = await Promise.all([
      base
        .select((eb) => [
          ...PROJECT_COLUMNS,
          'u.id as owner_id',
          'u.email as owner_email',
          'u.full_name as owner_full_name',
          ...countColumns(eb as unknown as ExpressionBuilder<TasksDb & ProjectTable, 'p'>),
        ])
        .orderBy('p.created_at', 'desc')
        .orderBy('p.id', 'desc')
        .offset(query.offset)
        .limit(query.limit)
        .execute(),
      base.select((eb) => eb.cast<number>(eb.fn.countAll(), 'integer').as('n')).executeTakeFirst(),
    ]);
    return {
      items: rows.map((row) => ({
        project: toProject(row),
        owner: { userId: row.owner_id, email: row.owner_email, fullName: row.owner_full_name },
        memberCount: row.member_count ?? 0,
        taskCount: row.task_count ?? 0,
      })),
      total: counted?.n ?? 0,
    };
  }

  private members(projectId: string) {
    return projectsDb(this.em)
      .selectFrom('project_members as m')
      .innerJoin('projects as p', 'p.id', 'm.project_id')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['m.user_id', 'm.role', 'm.joined_at', 'u.email', 'u.full_name'])
      .where('m.project_id', '=', projectId)
      .where('p.deleted_at', 'is', null);
  }
}

const CHANGED_TASK_COLUMNS = [
  'id',
  'project_id',
  'owner_id',
  'assignee_id',
  'title',
  'description',
  'status',
  'priority',
  'due_date',
  'remind_at',
  'created_at',
  'updated_at',
  'completed_at',
  'deleted_at',
  'version',
] as const;

function toChangedTask(row: {
  id: string;
  project_id: string;
  owner_id: string;
  assignee_id: string | null;
  title: string;
  description: string | null;
  status: string;
  priority: string;
  due_date: string | Date | null;
  remind_at: string | Date | null;
  created_at: string | Date;
  updated_at: string | Date;
  completed_at: string | Date | null;
  deleted_at: string | Date | null;
  version: number;
}): ChangedTask {
  return {
    id: row.id,
    projectId: row.project_id,
    ownerId: row.owner_id,
    assigneeId: row.assignee_id,
    title: row.title,
    description: row.description,
    status: row.status as TaskStatus,
    priority: row.priority as TaskPriority,
    dueDate: maybeDate(row.due_date),
    remindAt: maybeDate(row.remind_at),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
    completedAt: maybeDate(row.completed_at),
    deletedAt: maybeDate(row.deleted_at),
    version: row.version,
  };
}

function toView(
  row: ProjectRow & { role: string; member_count: number | null; task_count: number | null },
): ProjectView {
  return {
    project: toProject(row),
    role: roleFrom(row.role),
    memberCount: row.member_count ?? 0,
    taskCount: row.task_count ?? 0,
  };
}

function toMember(row: {
  user_id: string;
  role: string;
  joined_at: string | Date;
  email: string;
  full_name: string;
}): MemberView {
  return {
    userId: row.user_id,
    email: row.email,
    fullName: row.full_name,
    role: roleFrom(row.role),
    joinedAt: date(row.joined_at),
  };
}

/** `q` is taken literally: `%`, `_` and `\` match themselves. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

const accessStatements = new StatementCache<{ projectId: string; userId: string }>();
const inboxStatements = new StatementCache<{ userId: string }>();
const roleStatements = new StatementCache<{ projectId: string; userId: string }>();
const viewStatements = new StatementCache<{ projectId: string; userId: string }>();
