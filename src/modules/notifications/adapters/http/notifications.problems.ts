import { validationProblem, type ProblemInit } from '../../../../shared/http/problem.ts';
import type { NotificationError } from '../../domain/notification.errors.ts';

type Mapping<E> = (error: E) => ProblemInit;

/** Every notifications error, mapped once: a new error type without a row here does not compile. */
const table: {
  [K in NotificationError['type']]: Mapping<Extract<NotificationError, { type: K }>>;
} = {
  NotificationNotFound: () => ({
    status: 404,
    code: 'not_found',
    title: 'Notification not found',
  }),
  Unauthenticated: () => ({
    status: 401,
    code: 'unauthenticated',
    title: 'Authentication required',
    detail:
      'Send `Authorization: Bearer <access token>`, or `?ticket=` from POST /api/v1/ws/tickets.',
    headers: { 'WWW-Authenticate': 'Bearer realm="task-manager"' },
  }),
  ValidationFailed: (e) => validationProblem(e.errors),
};

export function notificationProblem(error: NotificationError): ProblemInit {
  return (table[error.type] as Mapping<NotificationError>)(error);
}
