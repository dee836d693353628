import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { Notification } from '../domain/notification.ts';
import { validationFailed, type NotificationErrorOf } from '../domain/notification.errors.ts';
import { decodeInboxCursor, encodeInboxCursor } from './support/inbox-cursor.ts';
import type { NotificationsPorts } from './ports.ts';

export interface ListNotificationsInput {
  actor: { userId: string };
  unreadOnly: boolean;
  /** 1–100. */
  limit: number;
  /** A `nextCursor` of an earlier page. */
  cursor?: string;
}

export interface ListNotificationsOutput {
  items: Notification[];
  /** Continues after the last item; null when nothing older matches. */
  nextCursor: string | null;
}

export type ListNotificationsError = NotificationErrorOf<'ValidationFailed'>;

type Ports = Pick<NotificationsPorts, 'notifications'>;

/** The caller's inbox, newest first, by keyset cursor. */
export class ListNotifications {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(
    input: ListNotificationsInput,
  ): ResultAsync<ListNotificationsOutput, ListNotificationsError> {
    return new ResultAsync(this.list(input));
  }

  private async list(
    input: ListNotificationsInput,
  ): Promise<Result<ListNotificationsOutput, ListNotificationsError>> {
    let beforeSeq: number | undefined;
    if (input.cursor !== undefined) {
      beforeSeq = decodeInboxCursor(input.cursor);
      if (beforeSeq === undefined) {
        return err(
          validationFailed([{ field: 'cursor', message: 'is not a cursor this API issued' }]),
        );
      }
    }
    const { items, hasMore } = await this.ports.notifications.list({
      userId: input.actor.userId,
      unreadOnly: input.unreadOnly,
      limit: input.limit,
      ...(beforeSeq === undefined ? {} : { beforeSeq }),
    });
    const last = items.at(-1);
    return ok({ items, nextCursor: hasMore && last ? encodeInboxCursor(last.seq) : null });
  }
}
