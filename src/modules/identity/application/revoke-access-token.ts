import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { IdentityErrorOf } from '../domain/identity.errors.ts';
import type { AuthenticatedPrincipal } from './authenticate.ts';
import type { IdentityPorts } from './ports.ts';

export interface RevokeAccessTokenInput {
  principal: AuthenticatedPrincipal;
  tokenId: string;
}

export type RevokeAccessTokenError = IdentityErrorOf<'AccessTokenNotFound'>;

type Ports = Pick<IdentityPorts, 'personalTokens' | 'clock'>;

/**
 * Revokes one of the caller's tokens; it is refused from the next request on, since every request
 * with a token reads it. Anyone else's token is reported as not found.
 */
export class RevokeAccessToken {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: RevokeAccessTokenInput): ResultAsync<void, RevokeAccessTokenError> {
    return new ResultAsync(this.revoke(input));
  }

  private async revoke(
    input: RevokeAccessTokenInput,
  ): Promise<Result<void, RevokeAccessTokenError>> {
    const revoked = await this.ports.personalTokens.revoke(
      input.principal.userId,
      input.tokenId,
      this.ports.clock.now(),
    );
    return revoked ? ok(undefined) : err({ type: 'AccessTokenNotFound' });
  }
}
