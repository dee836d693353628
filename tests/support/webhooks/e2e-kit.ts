import { randomBytes } from 'node:crypto';
import { uniqueEmail } from '../identity/http-client.ts';
import type { IsolatedDatabase } from '../notifications/isolated-database.ts';
import type { DeliveryJson } from './webhooks-kit.ts';

/** Environment every webhook end-to-end process shares (rate limits out of the way). */
export const baseEnv = () => ({
  JWT_SECRET: randomBytes(48).toString('base64url'),
  RATE_LIMIT_AUTH_PER_MINUTE: '100000',
  RATE_LIMIT_USER_PER_MINUTE: '100000',
});

export interface HttpAnswer<T> {
  status: number;
  body: T;
}

/** A client of one API process, as a user after `signUp`. */
export class ApiClient {
  readonly port: number;
  readonly token: string | undefined;

  constructor(port: number, token?: string) {
    this.port = port;
    this.token = token;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<HttpAnswer<T>> {
    const res = await fetch(`http://127.0.0.1:${this.port}/api/v1${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
  }

  /** The answer's body; throws unless the status is `expected`. */
  async expect<T>(expected: number, method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.request<T>(method, path, body);
    if (answer.status !== expected) {
      throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return answer.body;
  }

  deliveries(webhookId: string): Promise<{ items: DeliveryJson[] }> {
    return this.expect(200, 'GET', `/webhooks/${webhookId}/deliveries?limit=100`);
  }
}

/** Registers a verified user through the API process on `port`. */
export async function signUp(port: number, db: IsolatedDatabase): Promise<ApiClient> {
  const out = await new ApiClient(port).expect<{ access_token: string; user: { id: string } }>(
    201,
    'POST',
    '/auth/register',
    { email: uniqueEmail('webhooks'), password: 'a perfectly fine passphrase', full_name: 'E2E' },
  );
  await db.execute('update users set email_verified = true where id = ?', [out.user.id]);
  return new ApiClient(port, out.access_token);
}

/** Polls `probe` until it returns something (fails after `timeoutMs`). */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
