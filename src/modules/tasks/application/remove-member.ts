import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { memberRemoved } from '../domain/project-events.ts';
import { checkRemoval } from '../domain/project-membership.ts';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, TasksPorts } from './ports.ts';
import { bulkChangeEvents, onLockedProject } from './support/project-writes.ts';

export interface RemoveMemberInput {
  actor: Actor;
  projectId: string;
  /** The caller's own id to leave the project. */
  userId: string;
}

export type RemoveMemberError = TaskErrorOf<
  'ProjectNotFound' | 'Forbidden' | 'ProjectArchived' | 'MemberNotFound' | 'OwnerCannotLeave'
>;

type Ports = Pick<TasksPorts, 'projects' | 'outbox' | 'transactions' | 'reminders' | 'clock'>;

/**
 * Removes a member (an admin or the owner) or leaves (anyone but the owner). The member's open
 * tasks in the project are unassigned in the same transaction, each with the events unassigning
 * it alone would write; `project.member_removed` tells the member, unless they left by themself.
 */
export class RemoveMember {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: RemoveMemberInput): ResultAsync<void, RemoveMemberError> {
    return new ResultAsync(this.remove(input));
  }

  private async remove(input: RemoveMemberInput): Promise<Result<void, RemoveMemberError>> {
    const { actor, projectId, userId } = input;
    const { ports } = this;
    return onLockedProject<void, RemoveMemberError>(
      ports,
      projectId,
      actor.userId,
      async (project, actorRole) => {
        const targetRole = await ports.projects.roleOf(projectId, userId);
        if (targetRole === undefined) return err({ type: 'MemberNotFound', userId });
        const allowed = checkRemoval(
          projectId,
          { userId: actor.userId, role: actorRole },
          { userId, role: targetRole },
        ).andThen(() => project.guardWritable());
        if (allowed.isErr()) return err(allowed.error);
        const now = ports.clock.now();
        await ports.projects.removeMember(projectId, userId);
        const unassigned = await ports.projects.unassignOpenTasks(projectId, userId, now);
        const removed = memberRemoved(
          {
            project: { id: projectId, name: project.name },
            actorId: actor.userId,
            occurredAt: now,
          },
          userId,
        );
        await ports.outbox.append([
          ...bulkChangeEvents(
            ports,
            unassigned,
            (task) => ({ ...task, assigneeId: userId }),
            actor.userId,
          ),
          removed,
        ]);
        return ok(undefined);
      },
    );
  }
}
