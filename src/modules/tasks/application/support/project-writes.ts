import { err, type Result } from 'neverthrow';
import type { Project } from '../../domain/project.ts';
import type { ProjectRole } from '../../domain/project-role.ts';
import { taskChangeEvents } from '../../domain/task-events.ts';
import type { TaskErrorOf } from '../../domain/task.errors.ts';
import type { ChangedTask, TasksPorts } from '../ports.ts';

type Ports = Pick<TasksPorts, 'projects' | 'transactions'>;

/**
 * Runs `work` in one transaction on the locked project with the caller's role in it, so that every
 * write to a project and its membership is decided on what is current and no two interleave (a
 * transfer and a role change cannot leave zero or two owners). A non-member gets
 * `ProjectNotFound` whatever the project's state. `work` decides before it writes: an error it
 * returns leaves nothing written.
 */
export function onLockedProject<T, E>(
  ports: Ports,
  projectId: string,
  actorId: string,
  work: (project: Project, role: ProjectRole) => Promise<Result<T, E>>,
): Promise<Result<T, E | TaskErrorOf<'ProjectNotFound'>>> {
  return ports.transactions.run(async () => {
    const project = await ports.projects.lock(projectId);
    const role = project && (await ports.projects.roleOf(projectId, actorId));
    if (!project || !role) return err({ type: 'ProjectNotFound', projectId } as const);
    return work(project, role);
  });
}

/**
 * The events of tasks a bulk change wrote: `before` turns a task back into what it was. Only what
 * an event reads matters here, and events never read categories.
 */
export function bulkChangeEvents(
  ports: Pick<TasksPorts, 'reminders'>,
  changed: readonly ChangedTask[],
  before: (task: ChangedTask) => ChangedTask,
  actorId: string,
) {
  return changed.flatMap((task) =>
    taskChangeEvents(
      { ...before(task), version: task.version - 1, categoryIds: [] },
      { ...task, categoryIds: [] },
      { actorId, occurredAt: task.updatedAt, reminderLeadMinutes: ports.reminders.leadMinutes },
    ),
  );
}
