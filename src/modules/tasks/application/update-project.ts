import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { requireRole } from '../domain/project-membership.ts';
import type { ProjectPatch } from '../domain/project.ts';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, ProjectView, TasksPorts } from './ports.ts';
import { onLockedProject } from './support/project-writes.ts';

export interface UpdateProjectInput extends ProjectPatch {
  actor: Actor;
  projectId: string;
  /** The version the client read; a project changed since is a conflict. */
  version?: number;
  /** The version an `If-Match` names; a project changed since is a failed precondition. */
  precondition?: number;
}

export type UpdateProjectError = TaskErrorOf<
  | 'ProjectNotFound'
  | 'Forbidden'
  | 'PersonalProject'
  | 'ProjectArchived'
  | 'VersionConflict'
  | 'PreconditionFailed'
  | 'ValidationFailed'
>;

type Ports = Pick<TasksPorts, 'projects' | 'transactions' | 'clock'>;

/**
 * PATCH: name, description, colour, by an admin or the owner, based on a version. Who may is
 * judged before the version: a caller who may not change the project learns nothing from it.
 */
export class UpdateProject {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: UpdateProjectInput): ResultAsync<ProjectView, UpdateProjectError> {
    return new ResultAsync(this.update(input));
  }

  private async update(
    input: UpdateProjectInput,
  ): Promise<Result<ProjectView, UpdateProjectError>> {
    const { actor, projectId, version, precondition, ...patch } = input;
    const written = await onLockedProject<void, UpdateProjectError>(
      this.ports,
      projectId,
      actor.userId,
      async (project, role) => {
        const allowed = requireRole(projectId, role, 'admin', 'manage_project')
          .andThen(() => project.guardShareable())
          .andThen(() => project.guardWritable());
        if (allowed.isErr()) return err(allowed.error);
        if (precondition !== undefined && project.version !== precondition) {
          return err({
            type: 'PreconditionFailed',
            currentVersion: project.version,
            resource: 'project',
          });
        }
        if (version !== undefined && project.version !== version) {
          return err({
            type: 'VersionConflict',
            currentVersion: project.version,
            resource: 'project',
          });
        }
        const renamed = project.rename(patch, this.ports.clock.now());
        if (renamed.isErr()) return err(renamed.error);
        if (renamed.value) await this.ports.projects.update(project);
        return ok(undefined);
      },
    );
    if (written.isErr()) return err(written.error);
    const view = await this.ports.projects.findForMember(projectId, actor.userId);
    return view ? ok(view) : err({ type: 'ProjectNotFound', projectId });
  }
}
