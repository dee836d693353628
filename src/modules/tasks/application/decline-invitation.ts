import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { Actor, TasksPorts } from './ports.ts';
import { answerInvitation, type AnswerError } from './support/invitation-access.ts';

export interface DeclineInvitationInput {
  actor: Actor;
  invitationId: string;
}

type Ports = Pick<TasksPorts, 'accounts' | 'invitations' | 'transactions' | 'clock'>;

/** The invitee turns the invitation down; the project's admins may invite the address again. */
export class DeclineInvitation {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: DeclineInvitationInput): ResultAsync<void, AnswerError> {
    return new ResultAsync(
      answerInvitation<void, AnswerError>(
        this.ports,
        input.actor,
        input.invitationId,
        async ({ invitation }, now): Promise<Result<void, AnswerError>> => {
          const declined = invitation.decline(now);
          if (declined.isErr()) return err(declined.error);
          await this.ports.invitations.update(invitation);
          return ok(undefined);
        },
      ),
    );
  }
}
