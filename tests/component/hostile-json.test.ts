import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../src/app.ts';
import { startHttpServer, type RunningServer } from '../../src/server.ts';
import { MAX_JSON_DEPTH } from '../../src/shared/http/reject-unstorable-text.ts';
import { register } from '../support/identity/http-client.ts';
import { UNLIMITED } from '../support/security/harness.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/** The review's body: 500,000 levels of arrays (just under 1 MiB) and a lone surrogate escape. */
const LEVELS = 500_000;
const HOSTILE = `{"a":${'['.repeat(LEVELS)}${']'.repeat(LEVELS)},"x":"\\uD800"}`;

let t: TestApp;
let server: RunningServer;
let operations: Array<{ method: string; path: string; jsonBody: boolean; public: boolean }>;

beforeAll(async () => {
  t = await createTestApp(UNLIMITED);
  server = await startHttpServer(t.container, 0, '127.0.0.1');
  const doc = openApiDocument(t.app);
  operations = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    ['get', 'post', 'put', 'patch', 'delete']
      .filter((method) => (item as Record<string, unknown>)[method] !== undefined)
      .map((method) => {
        const op = (
          item as Record<string, { requestBody?: { content?: object }; security?: object[] }>
        )[method]!;
        const security = op.security ?? [];
        return {
          method: method.toUpperCase(),
          path: path.replaceAll(/\{[^}]+\}/g, () => randomUUID()),
          jsonBody: Object.keys(op.requestBody?.content ?? {}).some((type) =>
            type.includes('json'),
          ),
          // `[]` or an alternative `{}`: callable without a token.
          public: security.length === 0 || security.some((s) => Object.keys(s).length === 0),
        };
      }),
  );
});
afterAll(async () => {
  await server?.close(1_000);
  await t?.close();
});

interface Answer {
  status: number;
  json: () => { code?: string; errors?: Array<{ field: string; message: string }> };
}

/** Over a real socket, so GET and DELETE can carry a body too. */
function send(method: string, path: string, body: string, token?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        // A fresh connection each: the server may close one whose body it did not read.
        agent: false,
        method,
        path,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: () => JSON.parse(text) as never });
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      // Node closes a connection whose request body was not read; closing with unread bytes
      // resets it, which can overtake the answer. Only a GET may end so (it takes no body).
      if (method === 'GET' && ['ECONNRESET', 'EPIPE'].includes(error.code ?? '')) {
        resolve({ status: 0, json: () => ({}) });
      } else reject(new Error(`${method} ${path}: ${error.message}`));
    });
    req.end(body);
  });
}

/** A signed-in caller; attacking the logout routes ends its session, so it signs up again then. */
async function signedIn(): Promise<() => Promise<string>> {
  let token = (await register(t)).accessToken;
  return async () => {
    const me = await t.app.request('/api/v1/users/me', {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (me.status === 401) token = (await register(t)).accessToken;
    return token;
  };
}

const nested = (levels: number) =>
  `{"title":"Nested","extra":${'['.repeat(levels)}${']'.repeat(levels)}}`;

describe('deeply nested JSON bodies', () => {
  it('finds the operations to attack', () => {
    expect(operations.length).toBeGreaterThan(30);
    expect(operations.filter((op) => op.jsonBody).length).toBeGreaterThan(10);
    expect(HOSTILE.length).toBeLessThan(1024 * 1024);
  });

  it('answers every route without a token and never 5xx: 401 where a token is needed, 4xx where JSON is taken', async () => {
    const targets = [
      ...operations,
      { method: 'POST', path: '/does-not-exist', jsonBody: false, public: false },
      { method: 'POST', path: '/health', jsonBody: false, public: false },
    ];
    const clientError = (s: number) => s >= 400 && s < 500;
    // 0: a GET whose unread body made the server reset the connection.
    const ignoredBody = (s: number) => s === 0 || (s >= 200 && s < 500);
    for (const op of targets) {
      const { method, path } = op;
      const answer = { method, path, status: (await send(method, path, HOSTILE)).status };
      // Public routes that take no body (health, metrics, docs) ignore it.
      const expected = op.public && !op.jsonBody ? ignoredBody : clientError;
      expect(answer).toMatchObject({ status: expect.toSatisfy(expected) });
      if (!op.public && path.startsWith('/api/') && path !== '/api/v1/ws') {
        expect(answer).toMatchObject({ status: 401 });
      }
    }
  });

  it('never answers 5xx to a signed-in caller, and 400 validation_failed on every route that takes JSON', async () => {
    const token = await signedIn();
    for (const { method, path, jsonBody } of operations) {
      const res = await send(method, path, HOSTILE, await token());
      // A route that takes no body ignores it and does its work (logout-all answers 204).
      expect({ method, path, status: res.status }).toMatchObject({
        status: expect.toSatisfy((s: number) => s === 0 || s < 500),
      });
      if (jsonBody) {
        expect({ method, path, status: res.status }).toMatchObject({ status: 400 });
        expect(res.json().code).toBe('validation_failed');
        expect(res.json().errors?.[0]?.message).toContain(`${MAX_JSON_DEPTH} levels`);
      }
    }
  });

  it('refuses nesting beyond the cap in any JSON body, even with nothing unstorable in it', async () => {
    const token = await signedIn();
    // The body object is the first level.
    const deep = await send('POST', '/api/v1/tasks', nested(MAX_JSON_DEPTH), await token());
    expect(deep.status).toBe(400);
    expect(deep.json().code).toBe('validation_failed');
    const within = await send('POST', '/api/v1/tasks', nested(MAX_JSON_DEPTH - 1), await token());
    expect(within.status).toBe(201);
  });

  it('counts brackets inside strings as text, not nesting', async () => {
    const token = await signedIn();
    const body = JSON.stringify({ title: '['.repeat(100), description: '{\\"['.repeat(200) });
    expect((await send('POST', '/api/v1/tasks', body, await token())).status).toBe(201);
  });

  it('still refuses unstorable text in a body as 400 naming the field', async () => {
    const token = await signedIn();
    const res = await send(
      'POST',
      '/api/v1/tasks',
      '{"title":"ok","description":"bad \\u0000 byte"}',
      await token(),
    );
    expect(res.status).toBe(400);
    expect(res.json().errors?.[0]?.field).toBe('description');
  });
});
