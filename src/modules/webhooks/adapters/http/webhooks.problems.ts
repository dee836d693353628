import { validationProblem, type ProblemInit } from '../../../../shared/http/problem.ts';
import type { WebhookError } from '../../domain/webhook.errors.ts';

type Mapping<E> = (error: E) => ProblemInit;

/** Every webhooks error, mapped once: a new error type without a row here does not compile. */
const table: { [K in WebhookError['type']]: Mapping<Extract<WebhookError, { type: K }>> } = {
  WebhookNotFound: () => ({ status: 404, code: 'not_found', title: 'Webhook not found' }),
  DeliveryNotFound: () => ({ status: 404, code: 'not_found', title: 'Delivery not found' }),
  ProjectNotFound: () => ({ status: 404, code: 'not_found', title: 'Project not found' }),
  ValidationFailed: (e) => validationProblem(e.errors),
  WebhookLimitReached: (e) => ({
    status: 409,
    code: 'webhook_limit_reached',
    title: 'You have as many webhooks as allowed',
    detail: `A user may have at most ${e.max} webhooks; delete one to make room.`,
  }),
};

export function webhookProblem(error: WebhookError): ProblemInit {
  return (table[error.type] as Mapping<WebhookError>)(error);
}
