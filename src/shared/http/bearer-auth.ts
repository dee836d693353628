import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.ts';
import { requestHeader } from './node-bindings.ts';
import { ProblemError } from './problem.ts';

export interface Principal {
  userId: string;
  sessionId: string;
  role: 'user' | 'admin';
  /** The personal access token the request came with; absent for session access tokens. */
  tokenId?: string;
}

export interface AuthEnv extends AppEnv {
  Variables: AppEnv['Variables'] & { principal: Principal };
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

const unauthenticated = () =>
  new ProblemError({
    status: 401,
    code: 'unauthenticated',
    title: 'Authentication required',
    detail: 'Send a valid access token as `Authorization: Bearer <token>`.',
    headers: { 'WWW-Authenticate': 'Bearer realm="task-manager"' },
  });

/** Requires `Authorization: Bearer <access token>`; puts the principal on the context. */
export function bearerAuth(
  authenticate: (token: string) => Promise<Principal | undefined>,
): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const match = BEARER.exec(requestHeader(c, 'authorization') ?? '');
    const principal = match ? await authenticate(match[1]!) : undefined;
    if (!principal) throw unauthenticated();
    c.set('principal', principal);
    c.set('userId', principal.userId);
    await next();
  };
}
