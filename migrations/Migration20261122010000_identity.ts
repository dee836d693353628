import { Migration } from '@mikro-orm/migrations';

/** Users, sessions with their refresh-token chain, and single-use tokens (verification, reset). */
export class Migration20261122010000_identity extends Migration {
  override up(): void {
    this.addSql(`
      create table users (
        id uuid primary key,
        email text not null,
        full_name text not null,
        password_hash text not null,
        role text not null default 'user' check (role in ('user', 'admin')),
        email_verified boolean not null default false,
        is_active boolean not null default true,
        failed_login_count integer not null default 0 check (failed_login_count >= 0),
        locked_until timestamptz null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        constraint users_email_normalised check (email = lower(btrim(email)))
      );`);
    this.addSql('create unique index users_email_key on users (email);');
    // Admin search (`q`) matches substrings of email and name.
    this.addSql('create index users_email_trgm on users using gin (email gin_trgm_ops);');
    this.addSql('create index users_full_name_trgm on users using gin (full_name gin_trgm_ops);');
    this.addSql('create index users_created_at_id on users (created_at desc, id desc);');

    this.addSql(`
      create table sessions (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        current_refresh_hash text not null,
        created_at timestamptz not null,
        last_used_at timestamptz not null,
        expires_at timestamptz not null,
        revoked_at timestamptz null,
        user_agent text null,
        ip text null
      );`);
    this.addSql(
      'create index sessions_live_by_user on sessions (user_id) where revoked_at is null;',
    );

    this.addSql(`
      create table refresh_tokens (
        token_hash text primary key,
        session_id uuid not null references sessions (id) on delete cascade,
        created_at timestamptz not null,
        rotated_at timestamptz null,
        replaced_by_hash text null
      );`);
    this.addSql('create index refresh_tokens_session on refresh_tokens (session_id);');

    this.addSql(`
      create table one_time_tokens (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        purpose text not null check (purpose in ('verify_email', 'password_reset')),
        token_hash text not null,
        expires_at timestamptz not null,
        used_at timestamptz null,
        created_at timestamptz not null
      );`);
    this.addSql('create unique index one_time_tokens_hash_key on one_time_tokens (token_hash);');
    this.addSql(
      'create index one_time_tokens_unused_by_user on one_time_tokens (user_id, purpose) where used_at is null;',
    );
  }

  override down(): void {
    this.addSql('drop table if exists one_time_tokens;');
    this.addSql('drop table if exists refresh_tokens;');
    this.addSql('drop table if exists sessions;');
    this.addSql('drop table if exists users;');
  }
}
