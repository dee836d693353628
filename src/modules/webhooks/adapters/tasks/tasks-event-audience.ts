import type { EntityManager } from '@mikro-orm/postgresql';
import type { TasksTables, WhoCanSeeTask } from '../../../tasks/index.ts';
import type { EventAudience, ReportedEvent, WebhookEvent } from '../../application/ports.ts';

type ProjectTables = Pick<TasksTables, 'projects' | 'project_members'>;

/**
 * Who may see an event, by the tasks module's rules, at the time of asking.
 *
 * - A task event: whoever the tasks module's `WhoCanSeeTask` lets see the task (the members of its
 *   project, the assignee of an Inbox task), among the project's members, the actor and the
 *   people it named.
 * - `project.member_added` / `project.member_removed`: the project's members (every member may
 *   list the members), and the person the event concerns, who may have just left.
 * - `project.invited`: the invitee, and the inviter while still a member. Other members are not
 *   told: invitations are listed to admins only.
 *
 * Project membership is read from the tasks module's tables (typed through its index), as the
 * relay reads its outbox: one indexed lookup, where a use case would add nothing but a hop.
 */
export class TasksEventAudience implements EventAudience {
  private readonly em: EntityManager;
  private readonly whoCanSeeTask: Pick<WhoCanSeeTask, 'execute'>;

  constructor(em: EntityManager, whoCanSeeTask: Pick<WhoCanSeeTask, 'execute'>) {
    this.em = em;
    this.whoCanSeeTask = whoCanSeeTask;
  }

  async whoMaySee(event: WebhookEvent): Promise<string[]> {
    const named = event.actorId === null ? event.recipients : [event.actorId, ...event.recipients];
    if (event.taskId !== null) {
      const members = event.projectId === null ? [] : await this.membersOf(event.projectId);
      return this.canSeeTask(event.taskId, [...named, ...members]);
    }
    if (event.projectId === null) return [...new Set(event.recipients)];
    if (event.type === 'project.invited') {
      const inviter =
        event.actorId !== null && (await this.isMember(event.projectId, event.actorId))
          ? [event.actorId]
          : [];
      return [...new Set([...event.recipients, ...inviter])];
    }
    const concerned = typeof event.data.user_id === 'string' ? [event.data.user_id] : [];
    return [...new Set([...(await this.membersOf(event.projectId)), ...concerned])];
  }

  async stillEntitled(userId: string, event: ReportedEvent): Promise<boolean> {
    if (event.taskId !== null) return (await this.canSeeTask(event.taskId, [userId])).length > 0;
    if (event.projectId === null) return true;
    // The invitee and the person a membership change concerns keep hearing of what concerns them.
    if (event.type === 'project.invited' && event.actorId !== userId) return true;
    if (event.type !== 'project.invited' && event.data.user_id === userId) return true;
    return this.isMember(event.projectId, userId);
  }

  async isMember(projectId: string, userId: string): Promise<boolean> {
    const row = await this.db()
      .selectFrom('project_members as m')
      .innerJoin('projects as p', 'p.id', 'm.project_id')
      .select('m.user_id')
      .where('m.project_id', '=', projectId)
      .where('m.user_id', '=', userId)
      .where('p.deleted_at', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  private async membersOf(projectId: string): Promise<string[]> {
    const rows = await this.db()
      .selectFrom('project_members as m')
      .innerJoin('projects as p', 'p.id', 'm.project_id')
      .select('m.user_id')
      .where('m.project_id', '=', projectId)
      .where('p.deleted_at', 'is', null)
      .execute();
    return rows.map((row) => row.user_id);
  }

  private async canSeeTask(taskId: string, userIds: readonly string[]): Promise<string[]> {
    const result = await this.whoCanSeeTask.execute({ taskId, userIds: [...new Set(userIds)] });
    return result.unwrapOr([]);
  }

  private db() {
    return this.em.getKysely<ProjectTables>({ convertValues: true });
  }
}
