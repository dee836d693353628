import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, ProjectView, TasksPorts } from './ports.ts';

export interface GetProjectInput {
  actor: Actor;
  projectId: string;
}

export type GetProjectError = TaskErrorOf<'ProjectNotFound'>;

/** One project as a member sees it; for anyone else it does not exist. */
export class GetProject {
  private readonly ports: Pick<TasksPorts, 'projects'>;

  constructor(ports: Pick<TasksPorts, 'projects'>) {
    this.ports = ports;
  }

  execute(input: GetProjectInput): ResultAsync<ProjectView, GetProjectError> {
    return ResultAsync.fromSafePromise(
      this.ports.projects.findForMember(input.projectId, input.actor.userId),
    ).andThen((view) =>
      view
        ? okAsync(view)
        : errAsync({ type: 'ProjectNotFound', projectId: input.projectId } as const),
    );
  }
}
