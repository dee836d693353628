import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register, securityApp, type SecurityApp } from '../../support/security/harness.ts';
import { hostileBody, type FieldSpec } from '../../support/security/hostile-json.ts';

/** Anything in an error body that betrays internals. */
const INTERNALS =
  /\bat .+:\d+:\d+|node_modules|file:\/\/|\bselect\b.+\bfrom\b|\binsert into\b|duplicate key|violates|DriverException|TypeError|ReferenceError|ZodError|MikroORM|postgres/i;

const RUNS = 60;

const email = fc.uuid().map((id) => `fz-${id}@example.com`);
const password = fc.string({ minLength: 8, maxLength: 40 });
const opaque = fc.string({ minLength: 1, maxLength: 80 });

interface Endpoint {
  path: string;
  fields: FieldSpec[];
  /** Every status a client may legitimately see for these inputs. */
  allowed: number[];
}

const ENDPOINTS: Endpoint[] = [
  {
    path: '/api/v1/auth/register',
    // Valid registrations cost a bcrypt hash each, so they are kept rare.
    fields: [
      { name: 'email', plausible: email, plausibleWeight: 2 },
      { name: 'password', plausible: password, plausibleWeight: 2 },
      {
        name: 'full_name',
        plausible: fc.string({ minLength: 1, maxLength: 30 }),
        plausibleWeight: 2,
      },
    ],
    allowed: [201, 400, 409, 429],
  },
  {
    path: '/api/v1/auth/login',
    fields: [
      { name: 'email', plausible: email, plausibleWeight: 2 },
      { name: 'password', plausible: password, plausibleWeight: 2 },
    ],
    allowed: [400, 401, 429],
  },
  {
    path: '/api/v1/auth/refresh',
    fields: [{ name: 'refresh_token', plausible: opaque }],
    allowed: [400, 401, 429],
  },
  {
    path: '/api/v1/auth/verify-email',
    fields: [{ name: 'token', plausible: opaque }],
    allowed: [400, 429],
  },
  {
    path: '/api/v1/auth/password/forgot',
    fields: [{ name: 'email', plausible: email }],
    allowed: [202, 400, 429],
  },
  {
    path: '/api/v1/auth/password/reset',
    fields: [
      { name: 'token', plausible: opaque },
      { name: 'password', plausible: password },
    ],
    allowed: [400, 429],
  },
];

/** Checks one response against the contract; throws (an expect failure) with the evidence. */
async function checkResponse(res: Response, endpoint: Endpoint, sent: string): Promise<void> {
  const text = await res.text();
  const evidence = `${endpoint.path} ${res.status} <- ${sent.slice(0, 300)}\n-> ${text.slice(0, 500)}`;
  expect(res.status, evidence).toBeLessThan(500);
  expect(endpoint.allowed, evidence).toContain(res.status);
  const requestId = res.headers.get('x-request-id');
  expect(requestId, evidence).toBeTruthy();
  expect(text, evidence).not.toMatch(INTERNALS);
  if (res.status < 400) return;

  expect(res.headers.get('content-type'), evidence).toBe('application/problem+json');
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(body.code, evidence).toEqual(expect.stringMatching(/^[a-z][a-z_]*$/));
  expect(body.request_id, evidence).toBe(requestId);
  expect(body.status, evidence).toBe(res.status);
  expect(body.instance, evidence).toBe(endpoint.path);
  if (body.code === 'validation_failed') {
    const errors = body.errors as Array<Record<string, unknown>>;
    expect(errors.length, evidence).toBeGreaterThan(0);
    for (const e of errors) {
      expect(typeof e.field, evidence).toBe('string');
      expect(typeof e.message, evidence).toBe('string');
    }
  }
}

let s: SecurityApp;
const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

beforeAll(async () => {
  s = await securityApp({}, { closeWith: 'manual' });
});
afterAll(() => s.close());

describe('hostile JSON bodies on the public identity endpoints', () => {
  it.each(ENDPOINTS)(
    '$path answers every hostile body with a well-formed 4xx (or its success), never 5xx',
    async (endpoint) => {
      await fc.assert(
        fc.asyncProperty(hostileBody(endpoint.fields), async (body) => {
          await checkResponse(await s.post(endpoint.path, body), endpoint, body);
        }),
        { numRuns: RUNS },
      );
    },
    120_000,
  );

  it('leaves Object.prototype and fresh objects unpolluted after the hostile bodies', () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    const fresh = {} as Record<string, unknown>;
    expect(fresh.role).toBeUndefined();
    expect(fresh.is_active).toBeUndefined();
    expect(fresh.polluted).toBeUndefined();
  });
});

describe('inputs the property runs turned up, pinned as examples', () => {
  // New in every run: forgot-password stops looking an address up after 3 requests an hour.
  const nul = `nul\u0000${randomUUID()}@example.com`;

  it.each([
    ['/api/v1/auth/login', { email: nul, password: 'whatever password' }, [400, 401]],
    ['/api/v1/auth/password/forgot', { email: nul }, [202, 400]],
    [
      '/api/v1/auth/register',
      { email: nul, password: 'long enough password', full_name: 'Nul' },
      [400],
    ],
  ] as const)(
    '%s with a NUL byte in the email answers a 4xx or its success, not 500',
    async (path, body, expected) => {
      const res = await s.post(path, body);
      const text = await res.clone().text();
      expect(expected as readonly number[], `${res.status} ${text}`).toContain(res.status);
      await checkResponse(
        res,
        ENDPOINTS.find((e) => e.path === path)!,
        JSON.stringify(body),
      );
    },
  );

  it('GET /api/v1/admin/users?q= with a NUL byte answers 400 or 200, not 500', async () => {
    const admin = await register(s);
    await s.container.identity.useCases.grantAdmin.execute({ email: admin.email });
    const res = await s.get('/api/v1/admin/users?q=a%00b', admin.accessToken);
    const text = await res.text();
    expect([200, 400], text).toContain(res.status);
  });

  it('treats a body with __proto__ and constructor keys as plain data', async () => {
    const body =
      '{"__proto__":{"role":"admin","polluted":true},"constructor":{"prototype":{"polluted":true}},' +
      '"email":"proto-' +
      String(Date.now()) +
      '@example.com","password":"a fine long password","full_name":"Proto"}';
    const res = await s.post('/api/v1/auth/register', body);
    expect(res.status).toBe(201);
    const user = ((await res.json()) as { user: { role: string } }).user;
    expect(user.role).toBe('user');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
