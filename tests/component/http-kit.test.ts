import { createRoute, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/shared/http/app-env.ts';
import { createHttpApp, createRouter } from '../../src/shared/http/create-app.ts';
import { createLogger } from '../../src/shared/infra/logger.ts';
import { createMetrics } from '../../src/shared/infra/metrics.ts';
import { captureLogs } from '../support/test-app.ts';

const Echo = z.object({ name: z.string().min(3), count: z.number().int().max(10) });

function kitApp(corsOrigins: string[] = []) {
  const { capture, stream } = captureLogs();
  const app = createHttpApp({
    logger: createLogger({ level: 'info', destination: stream }),
    metrics: createMetrics(),
    corsOrigins,
  });
  const router = createRouter<AppEnv>();
  router.openapi(
    createRoute({
      method: 'post',
      path: '/echo/{id}',
      request: {
        params: z.object({ id: z.uuid() }),
        body: { required: true, content: { 'application/json': { schema: Echo } } },
      },
      responses: { 200: { description: 'ok', content: { 'application/json': { schema: Echo } } } },
    }),
    (c) => c.json(c.req.valid('json'), 200),
  );
  router.get('/boom', () => {
    throw new Error('secret internals: select * from users');
  });
  app.route('/', router);
  return { app, logs: capture };
}

const ID = '0193a1f2-8b7c-7d4e-9f00-1a2b3c4d5e6f';
const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  body: JSON.stringify(body),
  headers: { 'Content-Type': 'application/json', ...headers },
});

describe('HTTP kit', () => {
  it('accepts a valid JSON body', async () => {
    const res = await kitApp().app.request(`/echo/${ID}`, json({ name: 'abc', count: 2 }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: 'abc', count: 2 });
  });

  it('turns validation failures into 400 validation_failed with one error per field', async () => {
    const res = await kitApp().app.request(`/echo/${ID}`, json({ name: 'a', count: 'x' }));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = (await res.json()) as {
      code: string;
      errors: Array<{ field: string }>;
      request_id: string;
    };
    expect(body.code).toBe('validation_failed');
    expect(body.errors.map((e) => e.field).sort()).toEqual(['count', 'name']);
    expect(body.request_id).toBe(res.headers.get('x-request-id'));
  });

  it('rejects a malformed path UUID with a validation problem naming the parameter', async () => {
    const res = await kitApp().app.request('/echo/not-a-uuid', json({ name: 'abc', count: 1 }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ field: string }> };
    expect(body.errors[0]?.field).toBe('id');
  });

  it('answers malformed JSON with 400 validation_failed', async () => {
    const res = await kitApp().app.request(`/echo/${ID}`, {
      method: 'POST',
      body: '{"name": "abc",',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('validation_failed');
  });

  it('answers a body of the wrong media type with 415', async () => {
    const res = await kitApp().app.request(`/echo/${ID}`, {
      method: 'POST',
      body: 'name=abc',
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { code: string }).code).toBe('unsupported_media_type');
  });

  it('answers a body over 1 MiB with 413 when Content-Length announces it', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024), count: 1 });
    const res = await kitApp().app.request(`/echo/${ID}`, json(JSON.parse(big)));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe('payload_too_large');
  });

  it('answers a chunked body over 1 MiB with 413, reading no more than the limit', async () => {
    let sent = 0;
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > 4 * 1024 * 1024) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const res = await kitApp().app.request(`/echo/${ID}`, {
      method: 'POST',
      body: stream,
      headers: { 'Content-Type': 'application/json' },
      duplex: 'half',
    });
    expect(res.status).toBe(413);
    expect(sent).toBeLessThanOrEqual(1024 * 1024 + 3 * chunk.byteLength);
  });

  it('hides internals of unexpected errors: 500 with only the request id, stack in the log', async () => {
    const { app, logs } = kitApp();
    const res = await app.request('/boom', { headers: { 'X-Request-Id': 'trace-123' } });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('secret internals');
    expect(JSON.parse(text)).toMatchObject({
      code: 'internal_error',
      request_id: 'trace-123',
      status: 500,
    });
    const logged = logs.records().find((r) => r.msg === 'unhandled error');
    expect(JSON.stringify(logged)).toContain('secret internals');
  });

  it('echoes a sane client request id and replaces an unsafe one', async () => {
    const { app } = kitApp();
    const sane = await app.request('/nowhere', { headers: { 'X-Request-Id': 'abc-123.x' } });
    expect(sane.headers.get('x-request-id')).toBe('abc-123.x');
    const unsafe = await app.request('/nowhere', {
      headers: { 'X-Request-Id': 'bad id\twith "quotes"' },
    });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await unsafe.json()) as { request_id: string }).request_id).toBe(
      unsafe.headers.get('x-request-id'),
    );
  });

  it('logs one line per request with method, route template, status, duration and request id', async () => {
    const { app, logs } = kitApp();
    await app.request(`/echo/${ID}`, json({ name: 'abc', count: 1 }));
    const line = logs.records().find((r) => r.msg === 'request');
    expect(line).toMatchObject({ method: 'POST', route: '/echo/:id', status: 200 });
    expect(typeof line?.duration_ms).toBe('number');
    expect(typeof line?.request_id).toBe('string');
  });

  it('answers unknown paths with 404 and known paths with another method with 405 and Allow', async () => {
    const { app } = kitApp();
    const missing = await app.request('/nowhere');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe('not_found');
    const wrongMethod = await app.request(`/echo/${ID}`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });

  it('sets secure headers', async () => {
    const res = await kitApp().app.request('/nowhere');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('allows cross-origin requests only from configured origins', async () => {
    const { app } = kitApp(['https://app.example.com']);
    const preflight = (origin: string) =>
      app.request(`/echo/${ID}`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
      });
    const allowed = await preflight('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const denied = await preflight('https://evil.example.com');
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    const none = await kitApp().app.request(`/echo/${ID}`, {
      headers: { Origin: 'https://app.example.com' },
    });
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('text the database cannot store', () => {
  it('NUL and lone surrogates are refused with 400, naming the field; well-formed text passes', async () => {
    const { app } = kitApp();
    const inBody = await app.request(`/echo/${ID}`, {
      method: 'POST',
      body: '{"name":"a\\u0000bc","count":1}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(inBody.status).toBe(400);
    const problem = (await inBody.json()) as { code: string; errors: Array<{ field: string }> };
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors[0]?.field).toBe('name');
    const inQuery = await app.request(`/echo/${ID}?q=a%00b`, json({ name: 'abc', count: 1 }));
    expect(inQuery.status).toBe(400);
    const surrogate = await app.request(`/echo/${ID}`, {
      method: 'POST',
      body: '{"name":"half \\ud83d pair","count":1}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(surrogate.status).toBe(400);
    const emoji = await app.request(
      `/echo/${ID}`,
      json({ name: 'whole \u{1F600} pair', count: 1 }),
    );
    expect(emoji.status).toBe(200);
    const clean = await app.request(`/echo/${ID}`, json({ name: 'a\\u0000 as text', count: 1 }));
    expect(clean.status).toBe(200);
  });
});
