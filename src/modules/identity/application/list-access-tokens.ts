import { ResultAsync } from 'neverthrow';
import type { AccessToken } from '../domain/access-token.ts';
import type { AuthenticatedPrincipal } from './authenticate.ts';
import type { IdentityPorts } from './ports.ts';

export interface ListAccessTokensInput {
  principal: AuthenticatedPrincipal;
}

type Ports = Pick<IdentityPorts, 'personalTokens'>;

/** The caller's tokens not revoked, expired ones included (so their owner sees why one stopped). */
export class ListAccessTokens {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: ListAccessTokensInput): ResultAsync<{ items: AccessToken[] }, never> {
    return ResultAsync.fromSafePromise(
      this.ports.personalTokens.listForUser(input.principal.userId).then((items) => ({ items })),
    );
  }
}
