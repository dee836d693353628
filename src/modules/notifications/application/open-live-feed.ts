import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { validationFailed, type NotificationErrorOf } from '../domain/notification.errors.ts';
import type { NotificationsPorts, SessionPrincipal } from './ports.ts';

export interface OpenLiveFeedInput {
  /** A principal from a verified access token, or a ticket to redeem. */
  credentials:
    { type: 'principal'; principal: SessionPrincipal } | { type: 'ticket'; ticket: string };
  /** Resume after this notification of the caller's: everything newer is replayed first. */
  after?: string;
}

export interface OpenLiveFeedOutput {
  principal: SessionPrincipal;
  /** The connection delivers the user's notifications numbered above this, in order. */
  afterSeq: number;
}

export type OpenLiveFeedError = NotificationErrorOf<'Unauthenticated' | 'ValidationFailed'>;

type Ports = Pick<NotificationsPorts, 'tickets' | 'liveSessions' | 'notifications'>;

/**
 * Decides, before any socket opens, who a live connection is for and where its feed starts.
 * Without `after` it starts at the newest notification now, so nothing committed between this
 * answer and the socket opening is missed (the connection catches up from here).
 */
export class OpenLiveFeed {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: OpenLiveFeedInput): ResultAsync<OpenLiveFeedOutput, OpenLiveFeedError> {
    return new ResultAsync(this.open(input));
  }

  private async open(
    input: OpenLiveFeedInput,
  ): Promise<Result<OpenLiveFeedOutput, OpenLiveFeedError>> {
    const principal = await this.principalOf(input.credentials);
    if (!principal) return err({ type: 'Unauthenticated' });
    const { notifications } = this.ports;
    if (input.after === undefined) {
      return ok({ principal, afterSeq: await notifications.latestSeq(principal.userId) });
    }
    const afterSeq = await notifications.seqOf(principal.userId, input.after);
    if (afterSeq === undefined) {
      return err(
        validationFailed([{ field: 'after', message: 'is not one of your notifications' }]),
      );
    }
    return ok({ principal, afterSeq });
  }

  private async principalOf(
    credentials: OpenLiveFeedInput['credentials'],
  ): Promise<SessionPrincipal | undefined> {
    if (credentials.type === 'principal') return credentials.principal;
    const principal = await this.ports.tickets.redeem(credentials.ticket);
    // The session may have ended in the seconds since the ticket was issued.
    if (!principal || !(await this.ports.liveSessions.isLive(principal))) return undefined;
    return principal;
  }
}
