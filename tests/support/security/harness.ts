import { randomBytes, randomUUID } from 'node:crypto';
import { expect, onTestFailed, onTestFinished } from 'vitest';
import type { MailMessage, Mailer } from '../../../src/modules/identity/application/ports.ts';
import { FixedClock } from '../identity/fixed-clock.ts';
import { createTestApp, type TestApp } from '../test-app.ts';

/** Limits high enough that no test other than the rate-limit ones is ever throttled. */
export const UNLIMITED = {
  RATE_LIMIT_AUTH_PER_MINUTE: '100000',
  RATE_LIMIT_USER_PER_MINUTE: '100000',
} as const;

export const PASSWORD = 'violet kettle harbour 93';

/** Keeps every mail handed to it, so a test can read the links a user would click. */
export class CapturingMailer implements Mailer {
  readonly sent: MailMessage[] = [];

  async send(message: MailMessage): Promise<void> {
    this.sent.push(message);
  }

  /** The token of the newest link in a mail to `to` whose subject contains `subject`. */
  tokenFrom(to: string, subject: string): string {
    const mail = this.sent.findLast((m) => m.to === to && m.subject.includes(subject));
    const raw = mail?.text.match(/[?&]token=([^\s&]+)/)?.[1];
    if (!raw) throw new Error(`no "${subject}" mail with a token to ${to}`);
    return decodeURIComponent(raw);
  }

  linksTo(to: string): string[] {
    return this.sent
      .filter((m) => m.to === to)
      .flatMap((m) => [...m.text.matchAll(/https?:\/\/\S+/g)].map((match) => match[0]));
  }
}

/**
 * A documentation-prefix IPv6 address that is new in every run: rate-limit buckets live in the
 * shared Redis for a minute, so a fixed address would collide with a rerun or a parallel file.
 */
export function uniqueIp(): string {
  const groups = Array.from({ length: 6 }, () => randomBytes(2).toString('hex'));
  return `2001:db8:${groups.join(':')}`;
}

export function uniqueEmail(tag = 'sec'): string {
  return `${tag}-${randomUUID()}@example.com`;
}

/** What `@hono/node-server` passes as the env of a request: `getConnInfo` reads the socket from it. */
export function nodeEnv(remoteAddress: string) {
  return { incoming: { socket: { remoteAddress, remotePort: 40_000, remoteFamily: 'IPv6' } } };
}

export interface SecurityApp extends TestApp {
  clock: FixedClock | ShiftedClock;
  mailer: CapturingMailer;
  /** The client address of requests that do not name one. */
  ip: string;
  request(path: string, init?: RequestInit, ip?: string): Promise<Response>;
  post(
    path: string,
    body: unknown,
    init?: { headers?: Record<string, string>; ip?: string },
  ): Promise<Response>;
  get(path: string, token?: string, ip?: string): Promise<Response>;
  /** Every mail sent so far has reached the mailer. */
  mailSettled(): Promise<void>;
  sql<T = Record<string, unknown>>(query: string, params?: unknown[]): Promise<T[]>;
}

/**
 * The real app on the run's PostgreSQL and Redis, with a clock that moves only when told to, a
 * mailer that records, and its own client address. Closed when the calling test finishes.
 */
export async function securityApp(
  env: Record<string, string> = {},
  options: {
    clock?: FixedClock | ShiftedClock;
    closeWith?: 'test' | 'manual';
    /** Keep the app's own mailer (the log mailer, as in a test or production run without SMTP). */
    ownMailer?: boolean;
  } = {},
): Promise<SecurityApp> {
  const clock = options.clock ?? new FixedClock(new Date());
  const mailer = new CapturingMailer();
  const t = await createTestApp(
    { ...UNLIMITED, ...env },
    options.ownMailer ? { clock } : { clock, mailer },
  );
  if ((options.closeWith ?? 'test') === 'test') {
    onTestFinished(() => t.close());
    // A failing test shows what the server logged at warn and above (5xx stacks, Redis trouble).
    onTestFailed(() => {
      const serious = t.logs.lines.filter((line) => /"level":"(warn|error|fatal)"/.test(line));
      if (serious.length > 0) console.error(serious.join('\n'));
    });
  }
  const ip = uniqueIp();
  const request = (path: string, init: RequestInit = {}, from = ip) =>
    Promise.resolve(t.app.request(path, init, nodeEnv(from)));
  return {
    ...t,
    clock,
    mailer,
    ip,
    request,
    post: (path, body, init = {}) =>
      request(
        path,
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...init.headers },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        },
        init.ip,
      ),
    get: (path, token, from) =>
      request(path, token ? { headers: { Authorization: `Bearer ${token}` } } : {}, from),
    mailSettled: async () => {
      await t.container.detached.drain();
      await t.container.mailer.drain();
    },
    sql: async <T>(query: string, params: unknown[] = []) =>
      (await t.container.orm.em.fork().getConnection().execute<unknown[]>(query, params)) as T[],
  };
}

export interface Account {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

/** Registers a fresh user through the API; fails the test if registration does not succeed. */
export async function register(
  s: SecurityApp,
  input: { email?: string; password?: string; fullName?: string } = {},
): Promise<Account> {
  const email = input.email ?? uniqueEmail();
  const password = input.password ?? PASSWORD;
  const res = await s.post('/api/v1/auth/register', {
    email,
    password,
    full_name: input.fullName ?? 'Mallory Tester',
  });
  if (res.status !== 201) throw new Error(`register ${email}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as {
    access_token: string;
    refresh_token: string;
    user: { id: string };
  };
  return {
    id: body.user.id,
    email,
    password,
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
  };
}

/** Makes an existing user an admin the way an operator does (`npm run admin:grant`). */
export async function makeAdmin(s: SecurityApp, email: string): Promise<void> {
  const granted = await s.container.identity.useCases.grantAdmin.execute({ email });
  if (granted.isErr()) throw new Error(`could not grant admin to ${email}`);
}

export async function logIn(s: SecurityApp, email: string, password: string, ip?: string) {
  return s.post('/api/v1/auth/login', { email, password }, ip ? { ip } : {});
}

export interface ProblemJson {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance: string;
  code: string;
  request_id: string;
  errors?: Array<{ field: string; message: string }>;
}

/** The body of a problem response, after checking it is one and carries its request id. */
export async function problemOf(res: Response, status?: number): Promise<ProblemJson> {
  const text = await res.text();
  if (status !== undefined) expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = JSON.parse(text) as ProblemJson;
  expect(body.status).toBe(res.status);
  expect(typeof body.code).toBe('string');
  expect(body.request_id).toBe(res.headers.get('x-request-id'));
  return body;
}

/** Asserts a 401 with a Bearer challenge, as every rejected access token must get. */
export async function expectUnauthenticated(res: Response): Promise<ProblemJson> {
  const body = await problemOf(res, 401);
  expect(res.headers.get('www-authenticate') ?? '').toMatch(/^Bearer\b/);
  return body;
}

/** Real time plus an offset a test can push forward: windows and timeouts behave as in production. */
export class ShiftedClock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
