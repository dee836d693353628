import { ok, ResultAsync } from 'neverthrow';
import type { Actor, InvitationView, TasksPorts } from './ports.ts';
import { inviteeAccount } from './support/invitation-access.ts';

export interface ListMyInvitationsInput {
  actor: Actor;
}

type Ports = Pick<TasksPorts, 'accounts' | 'invitations' | 'clock'>;

/**
 * The pending invitations to the caller's address, those sent before they registered included;
 * none until the address is verified.
 */
export class ListMyInvitations {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: ListMyInvitationsInput): ResultAsync<InvitationView[], never> {
    return new ResultAsync(this.list(input));
  }

  private async list(input: ListMyInvitationsInput) {
    const { ports } = this;
    const account = await inviteeAccount(ports.accounts, input.actor);
    if (!account) return ok<InvitationView[], never>([]);
    return ok<InvitationView[], never>(
      await ports.invitations.listPendingFor(account.email, ports.clock.now()),
    );
  }
}
