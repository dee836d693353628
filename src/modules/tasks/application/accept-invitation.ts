import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { memberAdded } from '../domain/project-events.ts';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, ProjectView, TasksPorts } from './ports.ts';
import { answerInvitation, type AnswerError } from './support/invitation-access.ts';

export interface AcceptInvitationInput {
  actor: Actor;
  invitationId: string;
}

export type AcceptInvitationError = AnswerError | TaskErrorOf<'ProjectArchived' | 'AlreadyMember'>;

type Ports = Pick<
  TasksPorts,
  'accounts' | 'invitations' | 'projects' | 'outbox' | 'transactions' | 'clock'
>;

/**
 * The invitee joins the project with the invited role, and the invitation is closed, in one
 * transaction with the `project.member_added` event.
 */
export class AcceptInvitation {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: AcceptInvitationInput): ResultAsync<ProjectView, AcceptInvitationError> {
    return new ResultAsync(this.accept(input));
  }

  private async accept(
    input: AcceptInvitationInput,
  ): Promise<Result<ProjectView, AcceptInvitationError>> {
    const { ports } = this;
    const { actor, invitationId } = input;
    const accepted = await answerInvitation<string, AcceptInvitationError>(
      ports,
      actor,
      invitationId,
      async ({ invitation }, now) => {
        const { projectId } = invitation;
        const project = await ports.invitations.lockProject(projectId);
        if (!project) return err({ type: 'InvitationNotFound', invitationId });
        if (project.archived) return err({ type: 'ProjectArchived', projectId });
        const closed = invitation.accept(now);
        if (closed.isErr()) return err(closed.error);
        if (!(await ports.invitations.addMember(projectId, actor.userId, invitation.role, now))) {
          return err({ type: 'AlreadyMember', projectId });
        }
        await ports.invitations.update(invitation);
        // The new member accepted by themself; the one who invited them learns of it.
        await ports.outbox.append([
          memberAdded(
            { project, actorId: actor.userId, occurredAt: now },
            { userId: actor.userId, role: invitation.role },
            [invitation.invitedBy],
          ),
        ]);
        return ok(projectId);
      },
    );
    if (accepted.isErr()) return err(accepted.error);
    const joined = await ports.projects.findForMember(accepted.value, actor.userId);
    if (!joined) throw new Error('the project just joined is not visible to its new member');
    return ok(joined);
  }
}
