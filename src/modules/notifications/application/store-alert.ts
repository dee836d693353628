import { ResultAsync } from 'neverthrow';
import type { Notification, NotificationDataByType } from '../domain/notification.ts';
import type { NotificationsPorts } from './ports.ts';

/** Notification types no task event causes: another module reports them. */
export type AlertType = 'webhook.disabled';

export interface StoreAlertInput<T extends AlertType = AlertType> {
  userId: string;
  type: T;
  data: NotificationDataByType[T];
  createdAt: Date;
}

export interface StoredAlert {
  stored: Notification[];
  /** After the commit: pushes the stored notification to the user's open sockets. */
  publish: () => Promise<void>;
}

type Ports = Pick<NotificationsPorts, 'notifications' | 'live' | 'ids' | 'failures'>;

/**
 * Another module's notification to one user, stored inside that module's current transaction
 * (so it exists exactly when the change it reports does). Resolves what to run after the commit:
 * the push to the user's open sockets, whose loss the inbox makes up for.
 */
export class StoreAlert {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: StoreAlertInput): ResultAsync<StoredAlert, never> {
    return ResultAsync.fromSafePromise(this.store(input));
  }

  private async store(input: StoreAlertInput): Promise<StoredAlert> {
    const { notifications, live, ids, failures } = this.ports;
    const stored = await notifications.insertNew([
      {
        id: ids.next(),
        userId: input.userId,
        type: input.type,
        taskId: null,
        actorId: null,
        data: input.data,
        source: { type: 'alert' },
        createdAt: input.createdAt,
      },
    ]);
    return {
      stored,
      publish: async () => {
        if (stored.length === 0) return;
        await live
          .publish(stored)
          .catch((error: unknown) => failures.report(error, { operation: 'live.publish' }));
      },
    };
  }
}
