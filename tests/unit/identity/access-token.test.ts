import { describe, expect, it } from 'vitest';
import {
  ACCESS_TOKEN_DEFAULT_DAYS,
  ACCESS_TOKEN_MAX_DAYS,
  ACCESS_TOKEN_NAME_MAX,
  ACCESS_TOKEN_SHOWN_CHARS,
  isAccessTokenUsable,
  lastUseIsStale,
  LAST_USED_PRECISION_SECONDS,
  looksLikeAccessToken,
  newAccessToken,
  type NewAccessTokenInput,
} from '../../../src/modules/identity/domain/access-token.ts';

const now = new Date('2030-01-01T00:00:00.000Z');
const DAY = 86_400_000;
const later = (ms: number) => new Date(now.getTime() + ms);

const input = (overrides: Partial<NewAccessTokenInput> = {}): NewAccessTokenInput => ({
  id: 'token-1',
  userId: 'user-1',
  name: 'CI',
  scopes: ['tasks:read'],
  secret: 'tmk_abcdefghijklmnopqrstuvwxyz',
  now,
  ...overrides,
});

describe('newAccessToken', () => {
  it('expires after the default lifetime, keeps the first characters of the secret and trims the name', () => {
    const token = newAccessToken(input({ name: '  CI pipeline  ' }))._unsafeUnwrap();
    expect(token).toEqual({
      id: 'token-1',
      userId: 'user-1',
      name: 'CI pipeline',
      scopes: ['tasks:read'],
      prefix: 'tmk_abcdefghijklmnopqrstuvwxyz'.slice(0, ACCESS_TOKEN_SHOWN_CHARS),
      createdAt: now,
      lastUsedAt: undefined,
      expiresAt: later(ACCESS_TOKEN_DEFAULT_DAYS * DAY),
      revokedAt: undefined,
    });
    expect(token.prefix).toBe('tmk_abcdefgh');
  });

  it('counts a repeated scope once', () => {
    const token = newAccessToken(input({ scopes: ['tasks:read', 'tasks:write', 'tasks:read'] }));
    expect(token._unsafeUnwrap().scopes).toEqual(['tasks:read', 'tasks:write']);
  });

  it('accepts an expiry exactly the maximum away, and refuses one a millisecond further', () => {
    const max = later(ACCESS_TOKEN_MAX_DAYS * DAY);
    expect(newAccessToken(input({ expiresAt: max }))._unsafeUnwrap().expiresAt).toEqual(max);
    expect(
      newAccessToken(
        input({ expiresAt: later(ACCESS_TOKEN_MAX_DAYS * DAY + 1) }),
      )._unsafeUnwrapErr(),
    ).toEqual({
      type: 'ValidationFailed',
      field: 'expires_at',
      message: `must be at most ${ACCESS_TOKEN_MAX_DAYS} days from now`,
    });
  });

  it.each([
    ['now', 0],
    ['in the past', -1000],
  ])('refuses an expiry %s', (_, offset) => {
    const error = newAccessToken(input({ expiresAt: later(offset) }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ field: 'expires_at', message: 'must be in the future' });
  });

  it.each([
    ['an empty name', { name: '   ' }, 'name'],
    ['a name over the limit', { name: 'x'.repeat(ACCESS_TOKEN_NAME_MAX + 1) }, 'name'],
    ['a name with a line break', { name: 'a\nb' }, 'name'],
    ['no scopes', { scopes: [] }, 'scopes'],
    ['an unknown scope', { scopes: ['tasks:read', 'admin'] }, 'scopes'],
  ])('refuses %s', (_, overrides, field) => {
    expect(newAccessToken(input(overrides))._unsafeUnwrapErr()).toMatchObject({
      type: 'ValidationFailed',
      field,
    });
  });

  it('accepts a name of exactly the maximum length, counted in code points', () => {
    const name = '🙂'.repeat(ACCESS_TOKEN_NAME_MAX);
    expect(newAccessToken(input({ name }))._unsafeUnwrap().name).toBe(name);
  });
});

describe('access token rules', () => {
  const token = newAccessToken(input({ expiresAt: later(DAY) }))._unsafeUnwrap();

  it('is usable until it expires or is revoked', () => {
    expect(isAccessTokenUsable(token, later(DAY - 1))).toBe(true);
    expect(isAccessTokenUsable(token, later(DAY))).toBe(false);
    expect(isAccessTokenUsable({ ...token, revokedAt: now }, now)).toBe(false);
  });

  it('asks for a last-use write only when none is stored or the stored one is a minute old', () => {
    expect(lastUseIsStale(token, now)).toBe(true);
    const used = { ...token, lastUsedAt: now };
    expect(lastUseIsStale(used, later(LAST_USED_PRECISION_SECONDS * 1000 - 1))).toBe(false);
    expect(lastUseIsStale(used, later(LAST_USED_PRECISION_SECONDS * 1000))).toBe(true);
  });

  it('tells a personal access token from a JWT by its prefix', () => {
    expect(looksLikeAccessToken('tmk_abc')).toBe(true);
    expect(looksLikeAccessToken('eyJhbGciOiJIUzI1NiJ9.e30.sig')).toBe(false);
  });
});
