export type NotificationField = 'cursor' | 'after' | 'limit';

export interface FieldError {
  field: NotificationField;
  message: string;
}

/** Expected outcomes of the notifications module, as values; each maps to one problem over HTTP. */
export type NotificationError =
  /** Unknown, or another user's: indistinguishable on purpose. */
  | { type: 'NotificationNotFound'; notificationId: string }
  | { type: 'ValidationFailed'; errors: FieldError[] }
  /** No credentials, a bad or used ticket, or a session that is no longer live. */
  | { type: 'Unauthenticated' };

export type NotificationErrorOf<T extends NotificationError['type']> = Extract<
  NotificationError,
  { type: T }
>;

export function validationFailed(errors: FieldError[]): NotificationErrorOf<'ValidationFailed'> {
  return { type: 'ValidationFailed', errors };
}
