import type { AccessTokenRepository } from '../../../src/modules/identity/application/ports.ts';
import type { AccessToken } from '../../../src/modules/identity/domain/access-token.ts';
import type { Role } from '../../../src/modules/identity/domain/role.ts';

/** How the fake reads a token's user, as the real query joins `users`. */
export type OwnerLookup = (
  userId: string,
) => Promise<{ isActive: boolean; role: Role } | undefined>;

export class InMemoryAccessTokenRepository implements AccessTokenRepository {
  readonly rows: Array<{ token: AccessToken; secretHash: string }> = [];
  private readonly owner: OwnerLookup;

  constructor(owner: OwnerLookup) {
    this.owner = owner;
  }

  async insertWithinLimit(token: AccessToken, secretHash: string, limit: number): Promise<boolean> {
    if (!(await this.owner(token.userId))) return false;
    const live = this.rows.filter(
      ({ token: t }) =>
        t.userId === token.userId &&
        t.revokedAt === undefined &&
        t.expiresAt.getTime() > token.createdAt.getTime(),
    ).length;
    if (live >= limit) return false;
    this.rows.push({ token: { ...token, scopes: [...token.scopes] }, secretHash });
    return true;
  }

  async listForUser(userId: string): Promise<AccessToken[]> {
    return this.rows
      .map((row) => row.token)
      .filter((t) => t.userId === userId && t.revokedAt === undefined)
      .sort(
        (a, b) =>
          b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
      )
      .map((t) => ({ ...t }));
  }

  async findBySecretHash(
    secretHash: string,
  ): Promise<{ token: AccessToken; userActive: boolean; role: Role } | undefined> {
    const row = this.rows.find((r) => r.secretHash === secretHash);
    const owner = row && (await this.owner(row.token.userId));
    if (!row || !owner) return undefined;
    return { token: { ...row.token }, userActive: owner.isActive, role: owner.role };
  }

  async revoke(userId: string, tokenId: string, now: Date): Promise<boolean> {
    const row = this.rows.find(
      (r) => r.token.id === tokenId && r.token.userId === userId && !r.token.revokedAt,
    );
    if (!row) return false;
    row.token.revokedAt = now;
    return true;
  }

  async revokeAllForUser(userId: string, now: Date): Promise<number> {
    const live = this.rows.filter((r) => r.token.userId === userId && !r.token.revokedAt);
    for (const row of live) row.token.revokedAt = now;
    return live.length;
  }

  async recordUse(tokenId: string, now: Date, precisionSeconds: number): Promise<void> {
    const row = this.rows.find((r) => r.token.id === tokenId);
    const last = row?.token.lastUsedAt;
    if (row && (last === undefined || now.getTime() - last.getTime() >= precisionSeconds * 1000)) {
      row.token.lastUsedAt = now;
    }
  }
}
