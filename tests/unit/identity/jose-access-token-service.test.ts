import { createHmac, randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, SignJWT, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { JoseAccessTokenService } from '../../../src/modules/identity/adapters/security/jose-access-token-service.ts';
import type { AccessTokenClaims } from '../../../src/modules/identity/application/ports.ts';

const secret = 'a-test-secret-that-is-at-least-32-bytes-long';
const key = new TextEncoder().encode(secret);
const service = new JoseAccessTokenService({ secret });
const now = new Date('2030-01-01T12:00:00Z');
const nowSeconds = now.getTime() / 1000;
const claims: AccessTokenClaims = { userId: randomUUID(), sessionId: randomUUID(), role: 'user' };

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const sign = (input: string) => createHmac('sha256', key).update(input).digest('base64url');

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
    .setIssuedAt(options.payload?.iat ?? nowSeconds)
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

  it('accepts the media-type spelling of the token type and an audience list that names us', async () => {
    expect(await service.verify(await forge({ typ: 'application/AT+JWT' }), now)).toEqual(claims);
    const listed = await forge({ payload: { aud: ['another-api', 'task-manager-api'] } });
    expect(await service.verify(listed, now)).toEqual(claims);
  });

  it('verifies without the thread pool: a token checks out while every pool thread is busy', async () => {
    const { token } = await service.issue(claims, now);
    let settled = false;
    // Nothing on libuv's pool can finish before these synchronous checks return.
    const verified = service.verify(token, now).finally(() => (settled = true));
    await Promise.resolve();
    await Promise.resolve();
    expect(settled).toBe(true);
    expect(await verified).toEqual(claims);
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
      [
        'a token issued in the future (iat beyond the clock tolerance)',
        () => forge({ payload: { iat: nowSeconds + 60 } }),
      ],
      [
        'a header naming a critical extension',
        async () => {
          const [, payload] = (await forge()).split('.') as [string, string];
          const header = b64url({ alg: 'HS256', typ: 'at+jwt', crit: ['exp'], exp: 1 });
          return `${header}.${payload}.${sign(`${header}.${payload}`)}`;
        },
      ],
      [
        'a payload that is a JSON array, signed with our key',
        async () => {
          const header = b64url({ alg: 'HS256', typ: 'at+jwt' });
          const payload = b64url([claims.userId]);
          return `${header}.${payload}.${sign(`${header}.${payload}`)}`;
        },
      ],
      [
        'the signature spelled with padding',
        async () => `${(await service.issue(claims, now)).token}=`,
      ],
      [
        'the signature spelled with different trailing bits',
        async () => {
          const token = (await service.issue(claims, now)).token;
          // 43 characters carry 258 bits: the last character's low 2 bits are not part of the MAC.
          const last = token.at(-1)!;
          const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
          const twin = alphabet[alphabet.indexOf(last) ^ 1]!;
          return `${token.slice(0, -1)}${twin}`;
        },
      ],
      ['a token with a fourth part', async () => `${(await service.issue(claims, now)).token}.e30`],
      ['a token longer than 4 KiB', async () => `${(await forge()).padEnd(5000, 'A')}`],
      ['an empty string', async () => ''],
    ];

    it.each(cases)('%s', async (_name, make, at = now) => {
      expect(await service.verify(await make(), at)).toBeUndefined();
    });
  });
});
