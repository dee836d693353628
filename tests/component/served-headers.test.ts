import { describe, expect, it, onTestFinished } from 'vitest';
import { startHttpServer } from '../../src/server.ts';
import { createTestApp } from '../support/test-app.ts';

/**
 * Behind a listening server the fixed headers go straight onto node's response; through
 * `app.request()` they are set on the fetch Response. Both must give the client the same headers.
 */
/** What differs between two answers by nature: the time, the connection, a rate-limit count. */
const VARYING = [
  'date',
  'connection',
  'keep-alive',
  'content-length',
  'ratelimit-remaining',
  'ratelimit-reset',
];
const comparable = (headers: Headers) =>
  Object.fromEntries([...headers].filter(([name]) => !VARYING.includes(name)));

describe('headers through a real socket', () => {
  it('are those app.request() gives: security headers, CSP per path, the echoed request id, on success and on problems', async () => {
    // Requests through app.request() have no client address; other tests share that bucket.
    const t = await createTestApp({
      RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
      RATE_LIMIT_USER_PER_MINUTE: '1000000',
    });
    onTestFinished(() => t.close());
    const server = await startHttpServer(t.container, 0, '127.0.0.1');
    onTestFinished(() => server.close(1_000));

    for (const [path, init] of [
      ['/health', {}],
      ['/docs', {}],
      ['/no-such-path', {}],
      ['/api/v1/users/me', {}],
      [
        '/api/v1/auth/login',
        { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } },
      ],
    ] as Array<[string, RequestInit]>) {
      const headers = {
        ...(init.headers as Record<string, string>),
        'x-request-id': `same-${path.length}`,
      };
      const viaSocket = await fetch(`http://127.0.0.1:${server.port}${path}`, { ...init, headers });
      const viaApp = await t.app.request(path, { ...init, headers });
      expect(viaSocket.status, path).toBe(viaApp.status);
      expect(comparable(viaSocket.headers), path).toEqual(comparable(viaApp.headers));
      expect(viaSocket.headers.get('x-request-id'), path).toBe(`same-${path.length}`);
      expect(viaSocket.headers.get('x-frame-options'), path).toBe('SAMEORIGIN');
      await viaSocket.arrayBuffer();
    }
    const docs = await fetch(`http://127.0.0.1:${server.port}/docs`);
    expect(docs.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});
