import { Migration } from '@mikro-orm/migrations';

/**
 * Personal access tokens: the hash of each secret (never the secret), its scopes, and the first
 * characters shown to tell a user's tokens apart. Revoked tokens keep their row, with the time.
 */
export class Migration20261206120000_access_tokens extends Migration {
  override up(): void {
    this.addSql(`
      create table if not exists access_tokens (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        name text not null,
        scopes text[] not null,
        token_hash text not null,
        prefix text not null,
        created_at timestamptz not null,
        last_used_at timestamptz null,
        expires_at timestamptz not null,
        revoked_at timestamptz null
      );`);
    this.addSql(
      'create unique index if not exists access_tokens_hash_key on access_tokens (token_hash);',
    );
    // A user's list and the per-user limit read only unrevoked tokens.
    this.addSql(
      'create index if not exists access_tokens_unrevoked_by_user on access_tokens (user_id, created_at) where revoked_at is null;',
    );
  }

  override down(): void {
    this.addSql('drop table if exists access_tokens;');
  }
}
