import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, TasksPorts } from './ports.ts';
import { managedProject, type ManageError } from './support/invitation-access.ts';

export interface RevokeInvitationInput {
  actor: Actor;
  projectId: string;
  invitationId: string;
}

export type RevokeInvitationError =
  ManageError | TaskErrorOf<'InvitationNotFound' | 'InvitationClosed'>;

type Ports = Pick<TasksPorts, 'projects' | 'invitations' | 'transactions' | 'clock'>;

/**
 * Withdraws a pending invitation (admin+). One that is no longer pending is refused with
 * `InvitationClosed`, so the admin learns that it was accepted, declined or had expired.
 */
export class RevokeInvitation {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: RevokeInvitationInput): ResultAsync<void, RevokeInvitationError> {
    return new ResultAsync(this.revoke(input));
  }

  private async revoke(input: RevokeInvitationInput): Promise<Result<void, RevokeInvitationError>> {
    const { ports } = this;
    const { actor, projectId, invitationId } = input;
    const project = await managedProject(ports, actor, projectId, 'write');
    if (project.isErr()) return err(project.error);
    return ports.transactions.run(async (): Promise<Result<void, RevokeInvitationError>> => {
      const view = await ports.invitations.lock(invitationId);
      if (!view || view.invitation.projectId !== projectId) {
        return err({ type: 'InvitationNotFound', invitationId });
      }
      const { invitation } = view;
      const now = ports.clock.now();
      if (invitation.needsExpiring(now)) {
        invitation.expire(now);
        await ports.invitations.update(invitation);
      }
      const revoked = invitation.revoke(now);
      if (revoked.isErr()) return err(revoked.error);
      await ports.invitations.update(invitation);
      return ok(undefined);
    });
  }
}
