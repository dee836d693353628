import { randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, SignJWT, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { JoseAccessTokenService } from '../../../src/modules/identity/adapters/jose-access-token-service.ts';
import type { AccessTokenClaims } from '../../../src/modules/identity/application/ports.ts';

const secret = 'a-test-secret-that-is-at-least-32-bytes-long';
const key = new TextEncoder().encode(secret);
const service = new JoseAccessTokenService({ secret });
const now = new Date('2030-01-01T12:00:00Z');
const nowSeconds = now.getTime() / 1000;
const claims: AccessTokenClaims = { userId: randomUUID(), sessionId: randomUUID(), role: 'user' };

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token shaped like ours, signed with our key, with parts overridden to probe one check at a time. */
function forge(
  options: { payload?: JWTPayload; alg?: string; typ?: string; signingKey?: Uint8Array } = {},
): Promise<string> {
  return new SignJWT({
    sub: claims.userId,
    sid: claims.sessionId,
    role: 'user',
    jti: randomUUID(),
    ...options.payload,
  })
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: options.typ ?? 'at+jwt' })
    .setIssuer(options.payload?.iss ?? 'task-manager-api')
    .setAudience(options.payload?.aud ?? 'task-manager-api')
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + 1800)
    .sign(options.signingKey ?? key);
}

describe('JoseAccessTokenService', () => {
  it('verifies the claims of a token it issued, valid for 30 minutes', async () => {
    const { token, expiresIn } = await service.issue(claims, now);
    expect(expiresIn).toBe(1800);
    expect(await service.verify(token, now)).toEqual(claims);
    expect(await service.verify(token, new Date(now.getTime() + 1799_000))).toEqual(claims);
  });

  it('signs HS256 with the at+jwt type, issuer, audience and a unique id', async () => {
    const [first, second] = await Promise.all([
      service.issue(claims, now),
      service.issue(claims, now),
    ]);
    expect(decodeProtectedHeader(first.token)).toEqual({ alg: 'HS256', typ: 'at+jwt' });
    expect(decodeJwt(first.token)).toMatchObject({
      sub: claims.userId,
      sid: claims.sessionId,
      role: 'user',
      iss: 'task-manager-api',
      aud: 'task-manager-api',
      iat: nowSeconds,
      exp: nowSeconds + 1800,
    });
    expect(decodeJwt(first.token).jti).not.toBe(decodeJwt(second.token).jti);
  });

  it('refuses a secret shorter than 32 bytes', () => {
    expect(() => new JoseAccessTokenService({ secret: 'short' })).toThrow(RangeError);
  });

  it('accepts the forging helper unchanged, so each rejection below is due to its one change', async () => {
    expect(await service.verify(await forge(), now)).toEqual(claims);
  });

  describe('answers undefined for', () => {
    const cases: Array<[string, () => Promise<string>, Date?]> = [
      [
        'an unsigned token (alg none)',
        async () => {
          const payload = {
            sub: claims.userId,
            sid: claims.sessionId,
            role: 'user',
            jti: randomUUID(),
            iss: 'task-manager-api',
            aud: 'task-manager-api',
            iat: nowSeconds,
            exp: nowSeconds + 1800,
          };
          return `${b64url({ alg: 'none', typ: 'at+jwt' })}.${b64url(payload)}.`;
        },
      ],
      ['another algorithm with the same secret (HS512)', () => forge({ alg: 'HS512' })],
      [
        'a token signed with another key',
        () => forge({ signingKey: new TextEncoder().encode(`${secret}-other`) }),
      ],
      [
        'an expired token',
        async () => (await service.issue(claims, now)).token,
        new Date(now.getTime() + 1806_000),
      ],
      ['a token not valid before a later time', () => forge({ payload: { nbf: nowSeconds + 60 } })],
      ['another issuer', () => forge({ payload: { iss: 'someone-else' } })],
      ['another audience', () => forge({ payload: { aud: 'another-api' } })],
      ['a JWT of another type', () => forge({ typ: 'JWT' })],
      ['a subject that is not a UUID', () => forge({ payload: { sub: 'admin' } })],
      ['a session id that is not a UUID', () => forge({ payload: { sid: '1' } })],
      ['an unknown role', () => forge({ payload: { role: 'root' } })],
      [
        'a payload changed after signing',
        async () => {
          const [header, payload, signature] = (await service.issue(claims, now)).token.split('.');
          const decoded = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<
            string,
            unknown
          >;
          return `${header}.${b64url({ ...decoded, role: 'admin' })}.${signature}`;
        },
      ],
      ['an opaque refresh token', async () => Buffer.from(randomUUID()).toString('base64url')],
      ['garbage', async () => 'not.a.jwt'],
      ['an empty string', async () => ''],
    ];

    it.each(cases)('%s', async (_name, make, at = now) => {
      expect(await service.verify(await make(), at)).toBeUndefined();
    });
  });
});
