import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { checkRoleChange } from '../domain/project-membership.ts';
import type { GrantableRole } from '../domain/project-role.ts';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, MemberView, TasksPorts } from './ports.ts';
import { onLockedProject } from './support/project-writes.ts';

export interface ChangeMemberRoleInput {
  actor: Actor;
  projectId: string;
  userId: string;
  role: GrantableRole;
}

export type ChangeMemberRoleError = TaskErrorOf<
  'ProjectNotFound' | 'Forbidden' | 'ProjectArchived' | 'MemberNotFound'
>;

type Ports = Pick<TasksPorts, 'projects' | 'transactions'>;

/** An admin or the owner gives a member another role (never the owner's, never above their own). */
export class ChangeMemberRole {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: ChangeMemberRoleInput): ResultAsync<MemberView, ChangeMemberRoleError> {
    return new ResultAsync(this.change(input));
  }

  private async change(
    input: ChangeMemberRoleInput,
  ): Promise<Result<MemberView, ChangeMemberRoleError>> {
    const { actor, projectId, userId, role } = input;
    const { projects } = this.ports;
    return onLockedProject<MemberView, ChangeMemberRoleError>(
      this.ports,
      projectId,
      actor.userId,
      async (project, actorRole) => {
        const target = await projects.findMember(projectId, userId);
        if (!target) return err({ type: 'MemberNotFound', userId });
        const allowed = checkRoleChange(actorRole, target.role, role).andThen(() =>
          project.guardWritable(),
        );
        if (allowed.isErr()) return err(allowed.error);
        if (target.role !== role) await projects.setRole(projectId, userId, role);
        return ok({ ...target, role });
      },
    );
  }
}
