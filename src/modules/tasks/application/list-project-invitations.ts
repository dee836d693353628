import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { Actor, InvitationFilter, InvitationView, TasksPorts } from './ports.ts';
import { managedProject, type ManageError } from './support/invitation-access.ts';

export interface ListProjectInvitationsInput {
  actor: Actor;
  projectId: string;
  filter: InvitationFilter;
}

type Ports = Pick<TasksPorts, 'projects' | 'invitations' | 'clock'>;

/** A project's invitations, for its admins and owner, newest first. */
export class ListProjectInvitations {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: ListProjectInvitationsInput): ResultAsync<InvitationView[], ManageError> {
    return new ResultAsync(this.list(input));
  }

  private async list(
    input: ListProjectInvitationsInput,
  ): Promise<Result<InvitationView[], ManageError>> {
    const { ports } = this;
    const project = await managedProject(ports, input.actor, input.projectId, 'read');
    if (project.isErr()) return err(project.error);
    return ok(
      await ports.invitations.listForProject(input.projectId, input.filter, ports.clock.now()),
    );
  }
}
