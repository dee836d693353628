import type {
  AccessTokenClaims,
  AccessTokenService,
} from '../../../src/modules/identity/application/ports.ts';

export const ACCESS_TOKEN_SECONDS = 1800;

/** Remembers what it issued; a token is valid until 30 minutes after its issue time. */
export class FakeAccessTokenService implements AccessTokenService {
  private readonly issued = new Map<string, { claims: AccessTokenClaims; expiresAt: number }>();

  async issue(claims: AccessTokenClaims, now: Date): Promise<{ token: string; expiresIn: number }> {
    const token = `access-${this.issued.size + 1}`;
    this.issued.set(token, {
      claims: { ...claims },
      expiresAt: now.getTime() + ACCESS_TOKEN_SECONDS * 1000,
    });
    return { token, expiresIn: ACCESS_TOKEN_SECONDS };
  }

  async verify(token: string, now: Date): Promise<AccessTokenClaims | undefined> {
    const entry = this.issued.get(token);
    if (!entry || entry.expiresAt <= now.getTime()) return undefined;
    return { ...entry.claims };
  }

  claimsOf(token: string): AccessTokenClaims | undefined {
    return this.issued.get(token)?.claims;
  }
}
