import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { requireRole } from '../domain/project-membership.ts';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, ProjectView, TasksPorts } from './ports.ts';
import { onLockedProject } from './support/project-writes.ts';

export interface ArchiveProjectInput {
  actor: Actor;
  projectId: string;
  /** `true` archives, `false` unarchives; either is a no-op when the project is already so. */
  archived: boolean;
}

export type ArchiveProjectError = TaskErrorOf<'ProjectNotFound' | 'Forbidden' | 'PersonalProject'>;

type Ports = Pick<TasksPorts, 'projects' | 'transactions' | 'clock'>;

/** Archive (read-only for everyone) or unarchive a project, by an admin or the owner. */
export class ArchiveProject {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: ArchiveProjectInput): ResultAsync<ProjectView, ArchiveProjectError> {
    return new ResultAsync(this.archive(input));
  }

  private async archive(
    input: ArchiveProjectInput,
  ): Promise<Result<ProjectView, ArchiveProjectError>> {
    const { actor, projectId } = input;
    const written = await onLockedProject<void, ArchiveProjectError>(
      this.ports,
      projectId,
      actor.userId,
      async (project, role) => {
        const allowed = requireRole(projectId, role, 'admin', 'manage_project');
        if (allowed.isErr()) return err(allowed.error);
        const now = this.ports.clock.now();
        const changed = input.archived ? project.archive(now) : project.unarchive(now);
        if (changed.isErr()) return err(changed.error);
        if (changed.value) await this.ports.projects.update(project);
        return ok(undefined);
      },
    );
    if (written.isErr()) return err(written.error);
    const view = await this.ports.projects.findForMember(projectId, actor.userId);
    return view ? ok(view) : err({ type: 'ProjectNotFound', projectId });
  }
}
