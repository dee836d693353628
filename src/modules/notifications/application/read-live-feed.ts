import { ResultAsync } from 'neverthrow';
import type { Notification } from '../domain/notification.ts';
import type { NotificationsPorts } from './ports.ts';

export interface ReadLiveFeedInput {
  userId: string;
  afterSeq: number;
  limit: number;
}

type Ports = Pick<NotificationsPorts, 'notifications'>;

/** What a live connection missed: the user's notifications numbered above `afterSeq`, oldest first. */
export class ReadLiveFeed {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: ReadLiveFeedInput): ResultAsync<Notification[], never> {
    return ResultAsync.fromSafePromise(
      this.ports.notifications.listAfter(input.userId, input.afterSeq, input.limit),
    );
  }
}
