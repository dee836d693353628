import { err, ok, ResultAsync, type Result } from 'neverthrow';
import {
  ACCESS_TOKEN_PREFIX,
  ACCESS_TOKENS_PER_USER,
  newAccessToken,
  type AccessToken,
} from '../domain/access-token.ts';
import type { IdentityErrorOf } from '../domain/identity.errors.ts';
import type { AuthenticatedPrincipal } from './authenticate.ts';
import type { IdentityPorts } from './ports.ts';

export interface CreateAccessTokenInput {
  principal: AuthenticatedPrincipal;
  name: string;
  scopes: readonly string[];
  expiresAt?: Date | undefined;
}

export interface CreateAccessTokenOutput {
  token: AccessToken;
  /** The secret, `tmk_…`: returned this once, stored only as its hash. */
  secret: string;
}

export type CreateAccessTokenError = IdentityErrorOf<'ValidationFailed' | 'TooManyAccessTokens'>;

type Ports = Pick<IdentityPorts, 'personalTokens' | 'secretTokens' | 'ids' | 'clock'>;

/** Issues a personal access token with the scopes asked for, within the per-user limit. */
export class CreateAccessToken {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(
    input: CreateAccessTokenInput,
  ): ResultAsync<CreateAccessTokenOutput, CreateAccessTokenError> {
    return new ResultAsync(this.create(input));
  }

  private async create(
    input: CreateAccessTokenInput,
  ): Promise<Result<CreateAccessTokenOutput, CreateAccessTokenError>> {
    const { ports } = this;
    const secret = `${ACCESS_TOKEN_PREFIX}${ports.secretTokens.generate()}`;
    const token = newAccessToken({
      id: ports.ids.next(),
      userId: input.principal.userId,
      name: input.name,
      scopes: input.scopes,
      secret,
      now: ports.clock.now(),
      expiresAt: input.expiresAt,
    });
    if (token.isErr()) return err(token.error);
    const stored = await ports.personalTokens.insertWithinLimit(
      token.value,
      ports.secretTokens.hash(secret),
      ACCESS_TOKENS_PER_USER,
    );
    if (!stored) return err({ type: 'TooManyAccessTokens', limit: ACCESS_TOKENS_PER_USER });
    return ok({ token: token.value, secret });
  }
}
