import type {
  OneTimeTokenPurpose,
  OneTimeTokenRepository,
} from '../../../src/modules/identity/application/ports.ts';

interface Row {
  id: string;
  userId: string;
  purpose: OneTimeTokenPurpose;
  hash: string;
  expiresAt: Date;
  createdAt: Date;
  usedAt: Date | undefined;
}

export class InMemoryOneTimeTokenRepository implements OneTimeTokenRepository {
  readonly rows: Row[] = [];

  async insert(token: Omit<Row, 'usedAt'>): Promise<void> {
    this.rows.push({ ...token, usedAt: undefined });
  }

  async peek(purpose: OneTimeTokenPurpose, hash: string, now: Date): Promise<string | undefined> {
    return this.usable(purpose, hash, now)?.userId;
  }

  async consume(
    purpose: OneTimeTokenPurpose,
    hash: string,
    now: Date,
  ): Promise<string | undefined> {
    const row = this.usable(purpose, hash, now);
    if (!row) return undefined;
    row.usedAt = now;
    return row.userId;
  }

  async invalidateAll(userId: string, purpose: OneTimeTokenPurpose, now: Date): Promise<void> {
    for (const row of this.rows) {
      if (row.userId === userId && row.purpose === purpose && !row.usedAt) row.usedAt = now;
    }
  }

  private usable(purpose: OneTimeTokenPurpose, hash: string, now: Date): Row | undefined {
    return this.rows.find(
      (row) =>
        row.purpose === purpose &&
        row.hash === hash &&
        !row.usedAt &&
        row.expiresAt.getTime() > now.getTime(),
    );
  }
}
