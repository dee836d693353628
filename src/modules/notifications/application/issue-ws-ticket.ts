import { ResultAsync } from 'neverthrow';
import type { NotificationsPorts, SessionPrincipal } from './ports.ts';

/** How long a ticket may wait for its WebSocket (the `expires_in` the ticket is issued with). */
const WS_TICKET_TTL_SECONDS = 30;

export interface IssueWsTicketInput {
  principal: SessionPrincipal;
}

export interface IssueWsTicketOutput {
  ticket: string;
  expiresIn: number;
}

type Ports = Pick<NotificationsPorts, 'tickets'>;

/** A single-use ticket that opens one WebSocket for the caller's session. */
export class IssueWsTicket {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: IssueWsTicketInput): ResultAsync<IssueWsTicketOutput, never> {
    return ResultAsync.fromSafePromise(
      this.ports.tickets
        .issue(input.principal, WS_TICKET_TTL_SECONDS)
        .then((ticket) => ({ ticket, expiresIn: WS_TICKET_TTL_SECONDS })),
    );
  }
}
