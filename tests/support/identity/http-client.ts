import { randomUUID } from 'node:crypto';
import type { TestApp } from '../test-app.ts';

export const PASSWORD = 'a perfectly fine passphrase';

export interface Signed {
  email: string;
  userId: string;
  accessToken: string;
  refreshToken: string;
}

export const uniqueEmail = (prefix = 'user') => `${prefix}-${randomUUID()}@example.test`;

export const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  body: JSON.stringify(body),
  headers: { 'Content-Type': 'application/json', ...headers },
});

export const bearer = (token: string, init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: {
    ...(init.headers as Record<string, string> | undefined),
    Authorization: `Bearer ${token}`,
  },
});

export async function body<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export async function register(
  t: TestApp,
  email = uniqueEmail(),
  password = PASSWORD,
): Promise<Signed> {
  const res = await t.app.request(
    '/api/v1/auth/register',
    json({ email, password, full_name: 'Test User' }),
  );
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`);
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

export async function logIn(t: TestApp, email: string, password = PASSWORD): Promise<Signed> {
  const res = await t.app.request('/api/v1/auth/login', json({ email, password }));
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
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

/** Promotes a registered user, as `npm run admin:grant` does. */
export async function makeAdmin(t: TestApp, email: string): Promise<void> {
  const { RequestContext } = await import('@mikro-orm/core');
  const result = await RequestContext.create(t.container.orm.em, () =>
    t.container.identity.useCases.grantAdmin.execute({ email }),
  );
  if (result.isErr()) throw new Error(`grant failed: ${result.error.type}`);
}
