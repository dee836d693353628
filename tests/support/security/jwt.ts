import { createHmac, randomUUID } from 'node:crypto';

/** What the service puts in an access token (see JoseAccessTokenService), for forging look-alikes. */
export interface AccessClaims {
  sub: string;
  sid: string;
  role: string;
  iss?: string;
  aud?: string | string[];
  iat?: number;
  exp?: number;
  nbf?: number;
  jti?: string;
  [extra: string]: unknown;
}

export const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

export function encodeJson(value: unknown): string {
  return b64url(JSON.stringify(value));
}

export function decodeSegment(segment: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Standard claims as the service issues them, at `now`; `overrides` replace any of them. */
export function accessClaims(
  base: { sub: string; sid: string; role?: string },
  now: Date,
  overrides: Partial<AccessClaims> = {},
): AccessClaims {
  const iat = Math.floor(now.getTime() / 1000);
  return {
    sid: base.sid,
    role: base.role ?? 'user',
    sub: base.sub,
    iss: 'task-manager-api',
    aud: 'task-manager-api',
    iat,
    exp: iat + 1800,
    jti: randomUUID(),
    ...overrides,
  };
}

const HMAC = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;

/**
 * A compact JWS signed with HMAC by hand, so a test controls every header field (jose would refuse
 * some of the hostile combinations).
 */
export function signHmac(
  alg: keyof typeof HMAC,
  payload: Record<string, unknown>,
  secret: string,
  header: Record<string, unknown> = {},
): string {
  const signingInput = `${encodeJson({ alg, typ: 'at+jwt', ...header })}.${encodeJson(payload)}`;
  const signature = createHmac(HMAC[alg], secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

/** A token whose header says `alg` but whose signature is whatever the caller gives. */
export function unsigned(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  signature = '',
): string {
  return `${encodeJson(header)}.${encodeJson(payload)}.${signature}`;
}

/** The claims of a real token (no verification: tests read their own tokens). */
export function claimsOf(token: string): AccessClaims {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('not a JWT');
  return decodeSegment(payload) as AccessClaims;
}
