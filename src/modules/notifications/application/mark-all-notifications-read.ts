import { ok, ResultAsync } from 'neverthrow';
import type { NotificationsPorts } from './ports.ts';

export interface MarkAllNotificationsReadInput {
  actor: { userId: string };
}

type Ports = Pick<NotificationsPorts, 'notifications' | 'clock'>;

/** Marks every unread notification of the caller read. */
export class MarkAllNotificationsRead {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: MarkAllNotificationsReadInput): ResultAsync<void, never> {
    return new ResultAsync(
      this.ports.notifications
        .markAllRead(input.actor.userId, this.ports.clock.now())
        .then(() => ok(undefined)),
    );
  }
}
