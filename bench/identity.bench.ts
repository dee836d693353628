import { RequestContext } from '@mikro-orm/core';
import { hash, verify } from '@node-rs/bcrypt';
import { randomUUID } from 'node:crypto';
import { JoseAccessTokenService } from '../src/modules/identity/adapters/security/jose-access-token-service.ts';
import { benchApp, fmt, measure } from './support.ts';

const PASSWORD = 'a perfectly fine passphrase';
const post = (body: unknown): RequestInit => ({
  method: 'POST',
  body: JSON.stringify(body),
  headers: { 'Content-Type': 'application/json' },
});

/** Login throughput against raw bcrypt, and the cost of checking the session on every request. */
export async function identityBench(): Promise<string[]> {
  const { app, container } = await benchApp();
  const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  const lines: string[] = [];
  try {
    const cost = container.config.bcryptCost;
    const stored = await hash(PASSWORD, { cost });
    const raw = await measure(24, threads, () => verify(PASSWORD, stored));

    const email = `bench-${randomUUID()}@example.test`;
    const registered = await app.request(
      '/api/v1/auth/register',
      post({ email, password: PASSWORD, full_name: 'Bench' }),
    );
    if (registered.status !== 201) throw new Error(`register answered ${registered.status}`);
    const logins = await measure(24, threads, async () => {
      const res = await app.request('/api/v1/auth/login', post({ email, password: PASSWORD }));
      if (res.status !== 200) throw new Error(`login answered ${res.status}`);
    });
    lines.push(
      `login: ${fmt(logins.perSecond)} logins/s; raw bcrypt verify (cost ${cost}, ${threads} in parallel): ` +
        `${fmt(raw.perSecond)}/s; ratio ${fmt(logins.perSecond / raw.perSecond, 2)}`,
    );

    const login = (await (
      await app.request('/api/v1/auth/login', post({ email, password: PASSWORD }))
    ).json()) as {
      access_token: string;
    };
    const token = login.access_token;
    const jwt = new JoseAccessTokenService({ secret: container.config.jwt.secret });
    const authenticate = container.identity.useCases.authenticate;
    const jwtOnly = await measure(5000, 16, () => jwt.verify(token, new Date()));
    const checked = await measure(5000, 16, () =>
      RequestContext.create(container.orm.em, () => authenticate.execute({ token })),
    );
    lines.push(
      `session check: JWT verify + Redis-cached session lookup ${fmt(checked.microsPerOp)} µs/op; ` +
        `JWT verify alone ${fmt(jwtOnly.microsPerOp)} µs/op; ratio ${fmt(checked.microsPerOp / jwtOnly.microsPerOp, 2)}; ` +
        `the check adds ${fmt(checked.microsPerOp - jwtOnly.microsPerOp)} µs per request`,
    );

    const auth = { headers: { Authorization: `Bearer ${token}` } };
    const health = await measure(3000, 16, () => app.request('/health'));
    const me = await measure(3000, 16, () => app.request('/api/v1/users/me', auth));
    lines.push(
      `GET /api/v1/users/me (auth, per-user rate limit, user load): ${fmt(me.microsPerOp)} µs/req; ` +
        `GET /health ${fmt(health.microsPerOp)} µs/req; ratio ${fmt(me.microsPerOp / health.microsPerOp, 2)}`,
    );
    return lines;
  } finally {
    await container.close();
  }
}
