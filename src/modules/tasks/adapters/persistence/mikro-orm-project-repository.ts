import type { EntityManager } from '@mikro-orm/postgresql';
import { rowsOf, StatementCache } from '../../../../shared/infra/typed-statements.ts';
import type { ProjectRepository } from '../../application/ports.ts';
import { isProjectRole, type ProjectRole } from '../../domain/project-role.ts';
import type { Project } from '../../domain/project.ts';
import { ProjectMemberRecord, ProjectRecord } from './projects.entities.ts';
import { tasksDb } from './tasks-db.ts';

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
    if (!row) return undefined;
    if (!isProjectRole(row.role)) throw new Error(`project member with unknown role ${row.role}`);
    return row.role;
  }
}

const inboxStatements = new StatementCache<{ userId: string }>();
const roleStatements = new StatementCache<{ projectId: string; userId: string }>();
