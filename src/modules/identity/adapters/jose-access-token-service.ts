import { jwtVerify, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { validate as isUuid } from 'uuid';
import type { AccessTokenClaims, AccessTokenService } from '../application/ports.ts';
import { ROLES, type Role } from '../domain/role.ts';

/** API.md: access tokens live 30 minutes (`expires_in: 1800`). */
export const ACCESS_TOKEN_LIFETIME_SECONDS = 1800;

/** RFC 9068's type for access tokens: no other JWT we might sign carries it, so none can pass for one. */
const ACCESS_TOKEN_TYPE = 'at+jwt';
const ALGORITHM = 'HS256';
/** Absorbs clock drift between the instances that sign and verify. */
const CLOCK_TOLERANCE_SECONDS = 5;
/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output. */
const MIN_SECRET_BYTES = 32;

export interface JoseAccessTokenServiceOptions {
  secret: string;
  issuer?: string;
  audience?: string;
}

export class JoseAccessTokenService implements AccessTokenService {
  readonly #key: Uint8Array;
  readonly #issuer: string;
  readonly #audience: string;

  constructor(options: JoseAccessTokenServiceOptions) {
    this.#key = new TextEncoder().encode(options.secret);
    if (this.#key.byteLength < MIN_SECRET_BYTES) {
      throw new RangeError(`the access-token secret must be at least ${MIN_SECRET_BYTES} bytes`);
    }
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

  async verify(token: string, now: Date): Promise<AccessTokenClaims | undefined> {
    try {
      // jose also rejects `alg: none`, a future `nbf` and a bad signature; pinning the algorithm
      // keeps a token signed any other way with the same secret out.
      const { payload } = await jwtVerify(token, this.#key, {
        algorithms: [ALGORITHM],
        typ: ACCESS_TOKEN_TYPE,
        issuer: this.#issuer,
        audience: this.#audience,
        currentDate: now,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'iat', 'jti'],
      });
      const { sub, sid, role } = payload;
      if (!isUuid(sub) || !isUuid(sid) || !isRole(role)) return undefined;
      return { userId: sub as string, sessionId: sid as string, role };
    } catch {
      return undefined;
    }
  }
}

function isRole(value: unknown): value is Role {
  return (ROLES as readonly unknown[]).includes(value);
}
