import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { NotificationErrorOf } from '../domain/notification.errors.ts';
import type { NotificationsPorts } from './ports.ts';

export interface MarkNotificationReadInput {
  actor: { userId: string };
  notificationId: string;
}

export type MarkNotificationReadError = NotificationErrorOf<'NotificationNotFound'>;

type Ports = Pick<NotificationsPorts, 'notifications' | 'clock'>;

/** Marks one of the caller's notifications read; reading it again keeps the first time. */
export class MarkNotificationRead {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: MarkNotificationReadInput): ResultAsync<void, MarkNotificationReadError> {
    return new ResultAsync(this.mark(input));
  }

  private async mark(
    input: MarkNotificationReadInput,
  ): Promise<Result<void, MarkNotificationReadError>> {
    const { notificationId, actor } = input;
    const found = await this.ports.notifications.markRead(
      actor.userId,
      notificationId,
      this.ports.clock.now(),
    );
    return found ? ok(undefined) : err({ type: 'NotificationNotFound', notificationId });
  }
}
