import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { validationFailed, type WebhookErrorOf } from '../domain/webhook.errors.ts';
import {
  MAX_WEBHOOKS_PER_USER,
  type Webhook,
  type WebhookSubscription,
} from '../domain/webhook.ts';
import type { WebhooksPorts } from './ports.ts';
import { subscriptionErrors } from './support/subscription-fields.ts';

export interface CreateWebhookInput {
  actor: { userId: string };
  url: string;
  events: WebhookSubscription[];
  /** A live project the actor is a member of, or null for every project they can see. */
  projectId: string | null;
  active: boolean;
}

/** The webhook and its signing secret, which is shown this once. */
export interface CreateWebhookOutput {
  webhook: Webhook;
  secret: string;
}

export type CreateWebhookError = WebhookErrorOf<
  'ValidationFailed' | 'WebhookLimitReached' | 'ProjectNotFound'
>;

type Ports = Pick<
  WebhooksPorts,
  'webhooks' | 'secrets' | 'urlPolicy' | 'audience' | 'settings' | 'ids' | 'clock' | 'transactions'
>;

export class CreateWebhook {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: CreateWebhookInput): ResultAsync<CreateWebhookOutput, CreateWebhookError> {
    return new ResultAsync(this.create(input));
  }

  private async create(
    input: CreateWebhookInput,
  ): Promise<Result<CreateWebhookOutput, CreateWebhookError>> {
    const { ports } = this;
    const errors = await subscriptionErrors(ports, { url: input.url, events: input.events });
    if (errors.length > 0) return err(validationFailed(errors));
    const { projectId } = input;
    if (projectId !== null && !(await ports.audience.isMember(projectId, input.actor.userId))) {
      return err({ type: 'ProjectNotFound', projectId });
    }
    const now = ports.clock.now();
    const webhook: Webhook = {
      id: ports.ids.next(),
      userId: input.actor.userId,
      url: input.url,
      events: input.events,
      projectId,
      active: input.active,
      disabledReason: null,
      secret: ports.secrets.generate(),
      previousSecret: null,
      previousSecretExpiresAt: null,
      consecutiveFailures: 0,
      createdAt: now,
      updatedAt: now,
    };
    const stored = await ports.transactions.run(() =>
      ports.webhooks.insertWithin(webhook, MAX_WEBHOOKS_PER_USER),
    );
    if (!stored) return err({ type: 'WebhookLimitReached', max: MAX_WEBHOOKS_PER_USER });
    return ok({ webhook, secret: webhook.secret });
  }
}
