import type { FieldError } from '../../domain/webhook.errors.ts';
import { eventsProblem, urlProblem, type WebhookSubscription } from '../../domain/webhook.ts';
import type { WebhooksPorts } from '../ports.ts';

/** A webhook's fields as a caller gives them; absent ones stay as they are. */
export interface SubscriptionFields {
  url?: string;
  events?: WebhookSubscription[];
}

/**
 * Every problem with the given fields, together: the URL's form first, then (only for a URL of
 * a valid form) the policy's verdict on where it points.
 */
export async function subscriptionErrors(
  ports: Pick<WebhooksPorts, 'urlPolicy' | 'settings'>,
  fields: SubscriptionFields,
): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  if (fields.url !== undefined) {
    const problem =
      urlProblem(fields.url, ports.settings) ?? (await ports.urlPolicy.check(fields.url));
    if (problem !== undefined) errors.push({ field: 'url', message: problem });
  }
  if (fields.events !== undefined) {
    const problem = eventsProblem(fields.events);
    if (problem !== undefined) errors.push({ field: 'events', message: problem });
  }
  return errors;
}
