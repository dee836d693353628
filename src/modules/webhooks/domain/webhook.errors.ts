export type WebhookField = 'url' | 'events' | 'cursor';

export interface FieldError {
  field: WebhookField;
  message: string;
}

/** Expected outcomes of the webhooks module, as values; each maps to one problem over HTTP. */
export type WebhookError =
  /** Unknown, or another user's: indistinguishable on purpose. */
  | { type: 'WebhookNotFound'; webhookId: string }
  | { type: 'DeliveryNotFound'; deliveryId: string }
  | { type: 'ValidationFailed'; errors: FieldError[] }
  | { type: 'WebhookLimitReached'; max: number }
  /** A `project_id` that is unknown, deleted, or a project the caller is not a member of. */
  | { type: 'ProjectNotFound'; projectId: string };

export type WebhookErrorOf<T extends WebhookError['type']> = Extract<WebhookError, { type: T }>;

export const webhookNotFound = (webhookId: string): WebhookErrorOf<'WebhookNotFound'> => ({
  type: 'WebhookNotFound',
  webhookId,
});

export const validationFailed = (errors: FieldError[]): WebhookErrorOf<'ValidationFailed'> => ({
  type: 'ValidationFailed',
  errors,
});
