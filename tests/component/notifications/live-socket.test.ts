import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../../../src/server.ts';
import {
  bearer,
  body,
  json,
  logIn,
  makeAdmin,
  type Signed,
} from '../../support/identity/http-client.ts';
import {
  isolatedDatabase,
  type IsolatedDatabase,
} from '../../support/notifications/isolated-database.ts';
import {
  openSocket,
  refusal,
  settle,
  startServer,
  type LiveClient,
} from '../../support/notifications/live-client.ts';
import {
  comment,
  createTask,
  inbox,
  relayAll,
  sql,
  verifiedUser,
} from '../../support/notifications/notifications-kit.ts';
import { accessClaims, claimsOf, signHmac } from '../../support/security/jwt.ts';
import { flushQueueKeys, uniqueQueuePrefix } from '../../support/notifications/queue-keys.ts';
import { createTestApp, type TestApp } from '../../support/test-app.ts';

const ALLOWED_ORIGIN = 'https://app.example.test';

const prefix = uniqueQueuePrefix();
let db: IsolatedDatabase;
let t: TestApp;
let server: RunningServer;
const clients: LiveClient[] = [];
beforeAll(async () => {
  db = await isolatedDatabase();
  t = await createTestApp(
    {
      DATABASE_URL: db.url,
      QUEUE_PREFIX: prefix,
      CORS_ORIGINS: ALLOWED_ORIGIN,
      RATE_LIMIT_AUTH_PER_MINUTE: '100000',
      RATE_LIMIT_USER_PER_MINUTE: '100000',
    },
    { realtime: { heartbeatMs: 300, sessionCheckMs: 300 } },
  );
  server = await startServer(t);
});
afterAll(async () => {
  for (const client of clients) client.close();
  await server?.close(1_000);
  await t?.close();
  await flushQueueKeys(inject('redisUrl'), prefix);
  await db?.drop();
});

async function listen(user: Signed, options: { after?: string } = {}): Promise<LiveClient> {
  const client = await openSocket(server.port, { token: user.accessToken, ...options });
  clients.push(client);
  return client;
}

async function ticketFor(user: Signed): Promise<string> {
  const res = await t.app.request(
    '/api/v1/ws/tickets',
    bearer(user.accessToken, { method: 'POST' }),
  );
  expect(res.status).toBe(201);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const out = await body<{ ticket: string; expires_in: number }>(res);
  expect(out.expires_in).toBe(30);
  return out.ticket;
}

async function pair() {
  const owner = await verifiedUser(t);
  const assignee = await verifiedUser(t);
  return { owner, assignee };
}

describe('the WebSocket handshake', () => {
  it('refuses a connection without credentials with 401 before the upgrade', async () => {
    const refused = await refusal(server.port, {});
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toContain('Bearer');
  });

  it('refuses an expired access token with 401', async () => {
    const user = await verifiedUser(t);
    const claims = claimsOf(user.accessToken);
    const past = new Date(Date.now() - 3600_000);
    const expired = signHmac(
      'HS256',
      { ...accessClaims({ sub: claims.sub, sid: claims.sid }, past) },
      t.container.config.jwt.secret,
    );
    expect((await refusal(server.port, { token: expired })).status).toBe(401);
    expect((await refusal(server.port, { token: 'not-a-token' })).status).toBe(401);
  });

  it('opens with a ticket once; the same ticket again, or a made-up one, gets 401', async () => {
    const user = await verifiedUser(t);
    const ticket = await ticketFor(user);
    const client = await openSocket(server.port, { ticket });
    clients.push(client);
    expect((await refusal(server.port, { ticket })).status).toBe(401);
    expect((await refusal(server.port, { ticket: 'A'.repeat(43) })).status).toBe(401);
  });

  it('refuses a ticket whose session ended after it was issued', async () => {
    const user = await verifiedUser(t);
    const ticket = await ticketFor(user);
    await t.app.request('/api/v1/auth/logout', bearer(user.accessToken, { method: 'POST' }));
    expect((await refusal(server.port, { ticket })).status).toBe(401);
  });

  it('refuses a browser origin outside CORS_ORIGINS with 403, and accepts an allowed one', async () => {
    const user = await verifiedUser(t);
    const evil = await refusal(server.port, {
      token: user.accessToken,
      origin: 'https://evil.example.test',
    });
    expect(evil.status).toBe(403);
    const ok = await openSocket(server.port, { token: user.accessToken, origin: ALLOWED_ORIGIN });
    clients.push(ok);
  });

  it('refuses `after` that is not one of the caller’s notifications (400), and a plain GET (426)', async () => {
    const user = await verifiedUser(t);
    const unknown = '0193a1f2-8b7c-7d4e-9f00-1a2b3c4d5e6f';
    expect((await refusal(server.port, { token: user.accessToken, after: unknown })).status).toBe(
      400,
    );
    expect((await refusal(server.port, { token: user.accessToken, after: 'x' })).status).toBe(400);
    const plain = await t.app.request('/api/v1/ws', bearer(user.accessToken));
    expect(plain.status).toBe(426);
  });

  it('sends each refusal with its problem+json body', async () => {
    const user = await verifiedUser(t);
    const ticket = await ticketFor(user);
    clients.push(await openSocket(server.port, { ticket }));
    const refusals = [
      [{}, 401, 'unauthenticated'],
      [{ ticket }, 401, 'unauthenticated'],
      [{ token: user.accessToken, origin: 'https://evil.example.test' }, 403, 'forbidden_origin'],
      [{ token: user.accessToken, after: 'x' }, 400, 'validation_failed'],
      [
        { token: user.accessToken, after: '0193a1f2-8b7c-7d4e-9f00-1a2b3c4d5e6f' },
        400,
        'validation_failed',
      ],
    ] as const;
    for (const [options, status, code] of refusals) {
      const refused = await refusal(server.port, options);
      expect(refused.status).toBe(status);
      expect(refused.headers['content-type']).toBe('application/problem+json');
      expect(refused.headers['connection']).toBe('close');
      expect(Number(refused.headers['content-length'])).toBe(Buffer.byteLength(refused.body));
      expect(refused.problem()).toMatchObject({
        status,
        code,
        instance: '/api/v1/ws',
        request_id: refused.headers['x-request-id'],
      });
    }
  });
});

describe('live delivery', () => {
  it('pushes a notification to the recipient’s sockets, and never to another user’s', async () => {
    const { owner, assignee } = await pair();
    const [first, second, ownerSocket] = await Promise.all([
      listen(assignee),
      listen(assignee),
      listen(owner),
    ]);
    const task = await createTask(t, owner, { assignee_id: assignee.userId });
    await relayAll(t);

    const [received] = await first.waitFor(1);
    expect(received).toMatchObject({ type: 'task.assigned', task_id: task.id });
    expect(await second.waitFor(1)).toEqual([received]);
    await settle();
    expect(ownerSocket.received).toEqual([]);
    expect(first.received).toHaveLength(1);
  });

  it('resumes with `after`: what was missed first, in order, then live ones, none twice', async () => {
    const { owner, assignee } = await pair();
    const task = await createTask(t, owner, { assignee_id: assignee.userId });
    for (let i = 1; i <= 3; i += 1) await comment(t, owner, task.id, `missed ${i}`);
    await relayAll(t);
    const history = (await inbox(t, assignee)).items.reverse();
    expect(history).toHaveLength(4);

    const client = await listen(assignee, { after: history[0]!.id });
    await comment(t, owner, task.id, 'live');
    await relayAll(t);
    const received = await client.waitFor(4);

    expect(received.map((n) => n.id).slice(0, 3)).toEqual(history.slice(1).map((n) => n.id));
    expect(received[3]?.type).toBe('task.commented');
    await settle();
    expect(client.received).toHaveLength(4);
    expect(new Set(client.received.map((n) => n.id)).size).toBe(4);
  });

  it('fills a gap from the inbox when a publish was lost', async () => {
    const { owner, assignee } = await pair();
    const client = await listen(assignee);
    const task = await createTask(t, owner, { assignee_id: assignee.userId });
    // Relay without publishing (the process died after its commit): nothing arrives yet.
    await relayAll(t, { publish: false });
    await settle();
    expect(client.received).toEqual([]);

    await comment(t, owner, task.id);
    await relayAll(t);
    const received = await client.waitFor(2);
    expect(received.map((n) => n.type)).toEqual(['task.assigned', 'task.commented']);
  });
});

describe('metrics', () => {
  it('counts open sockets and delivered notifications on /metrics', async () => {
    const { owner, assignee } = await pair();
    const client = await listen(assignee);
    await createTask(t, owner, { assignee_id: assignee.userId });
    await relayAll(t);
    await client.waitFor(1);

    const text = await (await t.app.request('/metrics')).text();
    expect(text).toMatch(/^ws_connections [1-9]\d*$/m);
    expect(text).toMatch(/^ws_notifications_delivered_total\{type="task.assigned"\} [1-9]\d*$/m);
    expect(text).toContain('# TYPE ws_disconnects_total counter');
  });
});

describe('closing sockets when their session ends', () => {
  // Session checks far apart: what closes these sockets is the revocation announcement.
  let slow: TestApp;
  let slowServer: RunningServer;
  beforeAll(async () => {
    slow = await createTestApp(
      { DATABASE_URL: db.url, QUEUE_PREFIX: prefix, RATE_LIMIT_AUTH_PER_MINUTE: '100000' },
      { realtime: { sessionCheckMs: 600_000 } },
    );
    slowServer = await startServer(slow);
  });
  afterAll(async () => {
    await slowServer?.close(1_000);
    await slow?.close();
  });
  const listenSlow = async (user: Signed) => {
    const client = await openSocket(slowServer.port, { token: user.accessToken });
    clients.push(client);
    return client;
  };
  const post = (user: Signed, path: string, init: RequestInit = { method: 'POST' }) =>
    slow.app.request(path, bearer(user.accessToken, init));

  it('closes the sockets of a session that logs out (4401), and keeps the user’s other sessions', async () => {
    const user = await verifiedUser(slow);
    const other = await logIn(slow, user.email);
    const [mine, theirs] = await Promise.all([listenSlow(user), listenSlow(other)]);

    expect((await post(user, '/api/v1/auth/logout')).status).toBe(204);

    expect(await mine.closed).toEqual({ code: 4401, reason: 'session ended' });
    await settle();
    expect(theirs.socket.readyState).toBe(theirs.socket.OPEN);
  });

  it('closes every socket of the user on logout-all', async () => {
    const user = await verifiedUser(slow);
    const other = await logIn(slow, user.email);
    const sockets = await Promise.all([listenSlow(user), listenSlow(other)]);

    expect((await post(user, '/api/v1/auth/logout-all')).status).toBe(204);

    for (const socket of sockets) expect((await socket.closed).code).toBe(4401);
  });

  it('closes the sockets of a user an admin deactivates', async () => {
    const admin = await verifiedUser(slow);
    await makeAdmin(slow, admin.email);
    const adminAgain = await logIn(slow, admin.email);
    const user = await verifiedUser(slow);
    const socket = await listenSlow(user);

    const res = await post(adminAgain, `/api/v1/admin/users/${user.userId}`, {
      ...json({ is_active: false }),
      method: 'PATCH',
    });
    expect(res.status).toBe(200);

    expect((await socket.closed).code).toBe(4401);
  });
});

describe('closing sockets without an announcement', () => {
  it('closes a socket at the next session check when the revocation message was lost', async () => {
    const user = await verifiedUser(t);
    const client = await listen(user);
    const { sid } = claimsOf(user.accessToken);
    await sql(t, 'update sessions set revoked_at = now() where id = ?', [sid]);
    await t.container.redis.del(`session-status:${sid}`);

    expect((await client.closed).code).toBe(4401);
  });

  it('closes a socket at the next session check even while the session cache still says live', async () => {
    // Both the announcement and the cache write were lost: Redis holds a stale "live" answer,
    // which authenticated requests trust for up to a minute. The socket check reads the database.
    const user = await verifiedUser(t);
    const client = await listen(user);
    const { sid } = claimsOf(user.accessToken);
    await sql(t, 'update sessions set revoked_at = now() where id = ?', [sid]);
    await t.container.redis.set(`session-status:${sid}`, '1', 'EX', 600);

    expect((await client.closed).code).toBe(4401);
  });

  it('drops a socket that stops answering pings', async () => {
    const user = await verifiedUser(t);
    const client = await openSocket(server.port, { token: user.accessToken, autoPong: false });
    clients.push(client);
    expect((await client.closed).code).toBe(1006);
  });
});
