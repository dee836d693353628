import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AuthEnv, Principal } from '../../../src/shared/http/bearer-auth.ts';
import { idempotency, type IdempotencyOutcome } from '../../../src/shared/http/idempotency.ts';
import { createLogger } from '../../../src/shared/infra/logger.ts';
import { InMemoryIdempotencyStore } from '../../support/shared/in-memory-idempotency-store.ts';

interface Setup {
  leaseMs?: number;
  /** What the handler answers, by call (the last one repeats). */
  answers?: Array<() => Response | Promise<Response>>;
}

const created = () =>
  new Response('{"id":"1"}', {
    status: 201,
    headers: {
      'Content-Type': 'application/json',
      Location: '/things/1',
      ETag: 'W/"1"',
      'X-Debug': 'not replayed',
    },
  });

/** A router with a principal from `X-User`/`X-Token`, the middleware, and a counting handler. */
function setup({ leaseMs, answers = [created] }: Setup = {}) {
  const store = new InMemoryIdempotencyStore();
  const outcomes: IdempotencyOutcome[] = [];
  const middleware = idempotency({
    store,
    operations: ['POST /things', 'POST /boxes/{box_id}/things'],
    ...(leaseMs === undefined ? {} : { leaseMs }),
    onOutcome: (outcome) => outcomes.push(outcome),
  });
  let calls = 0;
  const app = new Hono<AuthEnv>();
  app.use(async (c, next) => {
    c.set('requestId', 'req-1');
    c.set('logger', createLogger({ level: 'silent' }));
    const userId = c.req.header('x-user') ?? 'user-1';
    const token = c.req.header('x-token');
    const principal: Principal =
      token === undefined
        ? { kind: 'session', userId, sessionId: 'session-1', role: 'user' }
        : { kind: 'token', userId, tokenId: token, scopes: [], role: 'user' };
    c.set('principal', principal);
    await next();
  });
  const handler = async () => {
    const answer = answers[Math.min(calls, answers.length - 1)]!;
    calls += 1;
    return answer();
  };
  app.post('/things', middleware, handler);
  app.post('/boxes/:box_id/things', middleware, handler);
  app.post('/other', middleware, handler);
  const send = (path: string, body: string, headers: Record<string, string> = {}) =>
    app.request(path, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json', ...headers },
    });
  return { store, outcomes, send, calls: () => calls };
}

const KEY = { 'Idempotency-Key': 'key-1' };

describe('idempotency middleware', () => {
  it('runs every request without a key, and keys on operations it is not listed for', async () => {
    const s = setup();
    await s.send('/things', '{}');
    await s.send('/things', '{}');
    await s.send('/other', '{}', KEY);
    await s.send('/other', '{}', KEY);
    expect(s.calls()).toBe(4);
    expect(s.store.entries.size).toBe(0);
  });

  it('replays status, body and the stored headers only, marked as replayed', async () => {
    const s = setup();
    const first = await s.send('/things', '{"a":1}', KEY);
    const retry = await s.send('/things', '{"a":1}', KEY);
    expect(s.calls()).toBe(1);
    expect(retry.status).toBe(201);
    expect(await retry.text()).toBe(await first.text());
    expect(Object.fromEntries(retry.headers)).toEqual({
      'content-type': 'application/json',
      location: '/things/1',
      etag: 'W/"1"',
      'idempotent-replayed': 'true',
    });
    expect(first.headers.get('Idempotent-Replayed')).toBeNull();
    expect(s.outcomes).toEqual(['stored', 'replayed']);
  });

  it('replays a 204 without a body', async () => {
    const s = setup({ answers: [() => new Response(null, { status: 204 })] });
    await s.send('/things', '', KEY);
    const retry = await s.send('/things', '', KEY);
    expect(retry.status).toBe(204);
    expect(retry.body).toBeNull();
    expect(s.calls()).toBe(1);
  });

  it.each([500, 503, 401, 408, 409, 425, 429])('leaves the key free after a %i', async (status) => {
    const s = setup({ answers: [() => new Response('{}', { status }), created] });
    expect((await s.send('/things', '{}', KEY)).status).toBe(status);
    const retry = await s.send('/things', '{}', KEY);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('Idempotent-Replayed')).toBeNull();
    expect(s.calls()).toBe(2);
    expect(s.outcomes).toEqual(['not_stored', 'stored']);
  });

  it.each([400, 403, 404, 415, 422])('stores a final %i and replays it', async (status) => {
    const s = setup({ answers: [() => new Response('{}', { status }), created] });
    await s.send('/things', '{}', KEY);
    const retry = await s.send('/things', '{}', KEY);
    expect(retry.status).toBe(status);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(s.calls()).toBe(1);
  });

  it('does not store an answer larger than 1 MiB', async () => {
    const big = () => new Response('x'.repeat(1024 * 1024 + 1), { status: 201 });
    const s = setup({ answers: [big] });
    await s.send('/things', '{}', KEY);
    await s.send('/things', '{}', KEY);
    expect(s.calls()).toBe(2);
  });

  it('refuses the key with another body, media type or path (422)', async () => {
    const s = setup();
    await s.send('/boxes/a/things', '{"a":1}', KEY);
    const refusals = [
      await s.send('/boxes/a/things', '{"a":2}', KEY),
      await s.send('/boxes/a/things', '{"a":1}', { ...KEY, 'Content-Type': 'text/plain' }),
      await s.send('/boxes/b/things', '{"a":1}', KEY),
      await s.send('/boxes/a/things?x=1', '{"a":1}', KEY),
    ];
    for (const res of refusals) {
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ code: 'idempotency_key_reused' });
    }
    expect(s.calls()).toBe(1);
  });

  it('keeps keys per user, and per access token where there is one', async () => {
    const s = setup();
    await s.send('/things', '{}', { ...KEY, 'X-User': 'ada' });
    await s.send('/things', '{}', { ...KEY, 'X-User': 'bob' });
    await s.send('/things', '{}', { ...KEY, 'X-User': 'ada', 'X-Token': 'token-1' });
    await s.send('/things', '{}', { ...KEY, 'X-User': 'ada', 'X-Token': 'token-2' });
    expect(s.calls()).toBe(4);
    const again = await s.send('/things', '{}', { ...KEY, 'X-User': 'ada', 'X-Token': 'token-1' });
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(s.calls()).toBe(4);
  });

  it('answers 409 with Retry-After while the first runs, and keeps renewing its lease', async () => {
    let finish!: () => void;
    const running = new Promise<void>((resolve) => (finish = resolve));
    const s = setup({
      leaseMs: 150,
      answers: [
        async () => {
          await running;
          return created();
        },
      ],
    });
    const first = s.send('/things', '{}', KEY);
    // Three leases later the first still holds the key: it renews while it runs.
    await new Promise((resolve) => setTimeout(resolve, 450));
    const during = await s.send('/things', '{}', KEY);
    expect(during.status).toBe(409);
    expect(during.headers.get('Retry-After')).toBe('1');
    expect(await during.json()).toMatchObject({ code: 'idempotency_in_progress' });
    finish();
    expect((await first).status).toBe(201);
    expect((await s.send('/things', '{}', KEY)).headers.get('Idempotent-Replayed')).toBe('true');
    expect(s.calls()).toBe(1);
    expect(s.outcomes).toEqual(['in_progress', 'stored', 'replayed']);
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['with a control character', 'a\u0001b'],
    ['with a space', 'a b'],
  ])('refuses a key that is %s (400) without running the request', async (_name, key) => {
    const s = setup();
    const res = await s.send('/things', '{}', { 'Idempotency-Key': key });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ field: 'Idempotency-Key' }],
    });
    expect(s.calls()).toBe(0);
  });
});
