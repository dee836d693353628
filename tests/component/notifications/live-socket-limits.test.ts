import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../../src/server.ts';
import {
  body,
  json,
  register,
  uniqueEmail,
  type Signed,
} from '../../support/identity/http-client.ts';
import {
  openSocket,
  refusal,
  startServer,
  type LiveClient,
  type SocketOptions,
} from '../../support/notifications/live-client.ts';
import { uniqueIp } from '../../support/security/harness.ts';
import { createTestApp, type TestApp } from '../../support/test-app.ts';

/**
 * Caps on the WebSocket endpoint, on a server of their own. Clients name their address in
 * X-Forwarded-For (TRUST_PROXY=1) so the per-IP buckets in the shared Redis are this test's own.
 */
let t: TestApp;
let server: RunningServer;
const clients: LiveClient[] = [];

beforeAll(async () => {
  t = await createTestApp({
    TRUST_PROXY: '1',
    RATE_LIMIT_AUTH_PER_MINUTE: '4',
    RATE_LIMIT_USER_PER_MINUTE: '100000',
    WS_MAX_SOCKETS_PER_USER: '3',
  });
  server = await startServer(t);
});
afterAll(async () => {
  for (const client of clients) client.close();
  await server?.close(1_000);
  await t?.close();
});

/** Signs up from an address of its own: the per-IP limit of this app is tiny. */
async function signUp(): Promise<Signed> {
  const email = uniqueEmail('ws');
  const res = await t.app.request(
    '/api/v1/auth/register',
    json(
      { email, password: 'a perfectly fine passphrase', full_name: 'Socket User' },
      { 'X-Forwarded-For': uniqueIp() },
    ),
  );
  expect(res.status).toBe(201);
  const out = await body<{ access_token: string; refresh_token: string; user: { id: string } }>(
    res,
  );
  return {
    email,
    userId: out.user.id,
    accessToken: out.access_token,
    refreshToken: out.refresh_token,
  };
}

async function open(options: SocketOptions, ip = uniqueIp()): Promise<LiveClient> {
  const client = await openSocket(server.port, {
    ...options,
    headers: { 'X-Forwarded-For': ip },
  });
  clients.push(client);
  return client;
}

async function metric(name: string, labels: string): Promise<number> {
  const text = await (await t.app.request('/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

describe('WebSocket caps', () => {
  let user: Signed;
  beforeAll(async () => {
    user = await signUp();
  });

  it('closes the oldest socket with 4409 when a user opens one more than WS_MAX_SOCKETS_PER_USER', async () => {
    const before = await metric('ws_disconnects_total', 'reason="socket_limit"');
    const first = await open({ token: user.accessToken });
    const others = [
      await open({ token: user.accessToken }),
      await open({ token: user.accessToken }),
    ];
    const fourth = await open({ token: user.accessToken });
    expect(await first.closed).toEqual({ code: 4409, reason: 'too many sockets for this user' });
    for (const socket of [...others, fourth])
      expect(socket.socket.readyState).toBe(socket.socket.OPEN);
    expect(await metric('ws_disconnects_total', 'reason="socket_limit"')).toBe(before + 1);
    for (const socket of [...others, fourth]) socket.close();
  });

  it('counts upgrades against the per-IP limit and answers 429 with RateLimit headers before upgrading', async () => {
    const other = await signUp();
    const ip = uniqueIp();
    const before = await metric('ws_upgrades_refused_total', 'status="429"');
    // Refused attempts count too: an IP cannot probe for free.
    expect((await refusal(server.port, { headers: { 'X-Forwarded-For': ip } })).status).toBe(401);
    for (let i = 0; i < 3; i++) (await open({ token: other.accessToken }, ip)).close();
    const refused = await refusal(server.port, {
      token: other.accessToken,
      headers: { 'X-Forwarded-For': ip },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers['ratelimit-limit']).toBe('4');
    expect(refused.headers['ratelimit-remaining']).toBe('0');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await metric('ws_upgrades_refused_total', 'status="429"')).toBe(before + 1);
    // Another address is not affected.
    (await open({ token: other.accessToken })).close();
  });

  it('closes a socket that floods the server with frames (4429)', async () => {
    const flooder = await signUp();
    const client = await open({ token: flooder.accessToken });
    const before = await metric('ws_disconnects_total', 'reason="flood"');
    for (let i = 0; i < 100 && client.socket.readyState === client.socket.OPEN; i++) {
      client.socket.send('x');
    }
    expect((await client.closed).code).toBe(4429);
    expect(await metric('ws_disconnects_total', 'reason="flood"')).toBe(before + 1);
  });

  it('keeps a socket that sends a few frames now and then', async () => {
    const talker = await signUp();
    const client = await open({ token: talker.accessToken });
    for (let i = 0; i < 10; i++) client.socket.send('hello');
    client.socket.ping();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    client.close();
  });
});

describe('the per-user limit on upgrades', () => {
  let limited: TestApp;
  let limitedServer: RunningServer;
  beforeAll(async () => {
    limited = await createTestApp({
      RATE_LIMIT_AUTH_PER_MINUTE: '100000',
      RATE_LIMIT_USER_PER_MINUTE: '3',
    });
    limitedServer = await startServer(limited);
  });
  afterAll(async () => {
    await limitedServer?.close(1_000);
    await limited?.close();
  });

  it('counts upgrades in the user’s bucket: the fourth in a minute gets 429 before the upgrade', async () => {
    const user = await register(limited);
    for (let i = 0; i < 3; i++) {
      (await openSocket(limitedServer.port, { token: user.accessToken })).close();
    }
    const refused = await refusal(limitedServer.port, { token: user.accessToken });
    expect(refused.status).toBe(429);
    expect(refused.headers['ratelimit-limit']).toBe('3');
    // The same bucket as the user's API requests.
    const res = await limited.app.request('/api/v1/users/me', {
      headers: { Authorization: `Bearer ${user.accessToken}` },
    });
    expect(res.status).toBe(429);
  });
});
