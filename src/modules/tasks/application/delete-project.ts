import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { requireRole } from '../domain/project-membership.ts';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, TasksPorts } from './ports.ts';
import { bulkChangeEvents, onLockedProject } from './support/project-writes.ts';

export interface DeleteProjectInput {
  actor: Actor;
  projectId: string;
}

export type DeleteProjectError = TaskErrorOf<'ProjectNotFound' | 'Forbidden' | 'PersonalProject'>;

type Ports = Pick<TasksPorts, 'projects' | 'outbox' | 'transactions' | 'reminders' | 'clock'>;

/**
 * Soft-deletes the project and every live task in it, in one transaction, by the owner. Each task
 * whose reminder stood gets a `task.reminder_changed` with no reminder, as deleting it alone
 * would, so its reminder job is called off; tasks without one have no job and get no event.
 */
export class DeleteProject {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: DeleteProjectInput): ResultAsync<void, DeleteProjectError> {
    return new ResultAsync(this.delete(input));
  }

  private async delete(input: DeleteProjectInput): Promise<Result<void, DeleteProjectError>> {
    const { actor, projectId } = input;
    const { ports } = this;
    return onLockedProject<void, DeleteProjectError>(
      ports,
      projectId,
      actor.userId,
      async (project, role) => {
        const allowed = requireRole(projectId, role, 'owner', 'delete_project');
        if (allowed.isErr()) return err(allowed.error);
        const now = ports.clock.now();
        const deleted = project.softDelete(now);
        if (deleted.isErr()) return err(deleted.error);
        const tasks = await ports.projects.deleteTasks(projectId, now);
        await ports.projects.update(project);
        const events = bulkChangeEvents(
          ports,
          tasks,
          (task) => ({ ...task, deletedAt: null }),
          actor.userId,
        );
        if (events.length > 0) await ports.outbox.append(events);
        return ok(undefined);
      },
    );
  }
}
