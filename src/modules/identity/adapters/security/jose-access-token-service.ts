import { SignJWT } from 'jose';
import {
  createHmac,
  createSecretKey,
  randomUUID,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import { validate as isUuid } from 'uuid';
import type { AccessTokenClaims, AccessTokenService } from '../../application/ports.ts';
import { ROLES, type Role } from '../../domain/role.ts';

/** Access tokens live 30 minutes (`expires_in: 1800`). */
const ACCESS_TOKEN_LIFETIME_SECONDS = 1800;

/** RFC 9068's type for access tokens: no other JWT we might sign carries it, so none can pass for one. */
const ACCESS_TOKEN_TYPE = 'at+jwt';
const ALGORITHM = 'HS256';
/** Absorbs clock drift between the instances that sign and verify. */
const CLOCK_TOLERANCE_SECONDS = 5;
/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output. */
const MIN_SECRET_BYTES = 32;
/** Our tokens are ~400 bytes; anything far longer is refused before any decoding. */
const MAX_TOKEN_LENGTH = 4096;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface JoseAccessTokenServiceOptions {
  secret: string;
  issuer?: string;
  audience?: string;
}

export class JoseAccessTokenService implements AccessTokenService {
  readonly #key: Uint8Array;
  /** HMAC with a KeyObject skips re-importing the raw key on every verification (~5× cheaper). */
  readonly #hmacKey: KeyObject;
  readonly #issuer: string;
  readonly #audience: string;

  constructor(options: JoseAccessTokenServiceOptions) {
    this.#key = new TextEncoder().encode(options.secret);
    if (this.#key.byteLength < MIN_SECRET_BYTES) {
      throw new RangeError(`the access-token secret must be at least ${MIN_SECRET_BYTES} bytes`);
    }
    this.#hmacKey = createSecretKey(this.#key);
    this.#issuer = options.issuer ?? 'task-manager-api';
    this.#audience = options.audience ?? 'task-manager-api';
  }

  async issue(claims: AccessTokenClaims, now: Date): Promise<{ token: string; expiresIn: number }> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    const token = await new SignJWT({ sid: claims.sessionId, role: claims.role })
      .setProtectedHeader({ alg: ALGORITHM, typ: ACCESS_TOKEN_TYPE })
      .setSubject(claims.userId)
      .setIssuer(this.#issuer)
      .setAudience(this.#audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ACCESS_TOKEN_LIFETIME_SECONDS)
      .setJti(randomUUID())
      .sign(this.#key);
    return { token, expiresIn: ACCESS_TOKEN_LIFETIME_SECONDS };
  }

  /**
   * Verified synchronously with node:crypto: jose verifies through WebCrypto, whose HMAC jobs queue
   * on libuv's thread pool behind password hashes, so a burst of logins would stall every
   * authenticated request. The checks are jose's `jwtVerify` with the options we used to pass it
   * (pinned HS256, `typ` at+jwt, issuer, audience, required exp/iat/jti, nbf, clock tolerance),
   * plus a refusal of `iat` in the future, which we never issue.
   */
  verify(token: string, now: Date): Promise<AccessTokenClaims | undefined> {
    return Promise.resolve(this.#claims(token, now));
  }

  #claims(token: string, now: Date): AccessTokenClaims | undefined {
    const payload = this.#verifiedPayload(token, Math.floor(now.getTime() / 1000));
    if (!payload) return undefined;
    const { sub, sid, role } = payload;
    if (!isUuid(sub) || !isUuid(sid) || !isRole(role)) return undefined;
    return { userId: sub as string, sessionId: sid as string, role };
  }

  #verifiedPayload(token: string, now: number): Record<string, unknown> | undefined {
    if (token.length > MAX_TOKEN_LENGTH) return undefined;
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    if (![headerPart, payloadPart, signaturePart].every((part) => BASE64URL.test(part))) {
      return undefined;
    }
    const header = decodeObject(headerPart);
    // `crit` names extensions we do not implement (RFC 7515 §4.1.11): refuse, as jose does.
    if (!header || header.alg !== ALGORITHM || header.crit !== undefined) return undefined;
    if (
      typeof header.typ !== 'string' ||
      normaliseTyp(header.typ) !== normaliseTyp(ACCESS_TOKEN_TYPE)
    ) {
      return undefined;
    }
    const expected = createHmac('sha256', this.#hmacKey)
      .update(`${headerPart}.${payloadPart}`)
      .digest();
    const given = Buffer.from(signaturePart, 'base64url');
    // Only the canonical encoding: another spelling of the same bytes is another token.
    if (given.length !== expected.length || given.toString('base64url') !== signaturePart) {
      return undefined;
    }
    if (!timingSafeEqual(given, expected)) return undefined;
    const claims = decodeObject(payloadPart);
    if (!claims) return undefined;
    const { iss, aud, exp, iat, nbf, jti } = claims;
    if (iss !== this.#issuer) return undefined;
    if (!(aud === this.#audience || (Array.isArray(aud) && aud.includes(this.#audience)))) {
      return undefined;
    }
    if (jti === undefined || typeof exp !== 'number' || typeof iat !== 'number') return undefined;
    if (!Number.isFinite(exp) || exp <= now - CLOCK_TOLERANCE_SECONDS) return undefined;
    if (!Number.isFinite(iat) || iat > now + CLOCK_TOLERANCE_SECONDS) return undefined;
    if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + CLOCK_TOLERANCE_SECONDS)) {
      return undefined;
    }
    return claims;
  }
}

/** A base64url part holding a JSON object (strict UTF-8), or `undefined`. */
function decodeObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(utf8.decode(Buffer.from(part, 'base64url')));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 7515 §4.1.9, as jose compares it: `at+jwt` and `application/at+jwt`, any case. */
function normaliseTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.includes('/') ? lower : `application/${lower}`;
}

function isRole(value: unknown): value is Role {
  return (ROLES as readonly unknown[]).includes(value);
}
