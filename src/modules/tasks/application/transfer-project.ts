import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { checkTransfer, ROLE_AFTER_TRANSFER } from '../domain/project-membership.ts';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, ProjectView, TasksPorts } from './ports.ts';
import { onLockedProject } from './support/project-writes.ts';

export interface TransferProjectInput {
  actor: Actor;
  projectId: string;
  /** The member who becomes the owner. */
  userId: string;
}

export type TransferProjectError = TaskErrorOf<
  | 'ProjectNotFound'
  | 'Forbidden'
  | 'PersonalProject'
  | 'ProjectArchived'
  | 'MemberNotFound'
  | 'ValidationFailed'
>;

type Ports = Pick<TasksPorts, 'projects' | 'transactions'>;

/** The owner hands the project to another member and stays on as an admin. */
export class TransferProject {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: TransferProjectInput): ResultAsync<ProjectView, TransferProjectError> {
    return new ResultAsync(this.transfer(input));
  }

  private async transfer(
    input: TransferProjectInput,
  ): Promise<Result<ProjectView, TransferProjectError>> {
    const { actor, projectId, userId } = input;
    const { projects } = this.ports;
    const written = await onLockedProject<void, TransferProjectError>(
      this.ports,
      projectId,
      actor.userId,
      async (project, role) => {
        const allowed = checkTransfer({ userId: actor.userId, role }, userId)
          .andThen(() => project.guardShareable())
          .andThen(() => project.guardWritable());
        if (allowed.isErr()) return err(allowed.error);
        if ((await projects.roleOf(projectId, userId)) === undefined) {
          return err({ type: 'MemberNotFound', userId });
        }
        // The old owner steps down first: at no point are there two owners.
        await projects.setRole(projectId, actor.userId, ROLE_AFTER_TRANSFER);
        await projects.setRole(projectId, userId, 'owner');
        return ok(undefined);
      },
    );
    if (written.isErr()) return err(written.error);
    const view = await projects.findForMember(projectId, actor.userId);
    return view ? ok(view) : err({ type: 'ProjectNotFound', projectId });
  }
}
