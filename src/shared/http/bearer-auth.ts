import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.ts';
import { requestHeader } from './node-bindings.ts';
import { ProblemError } from './problem.ts';

/** A user signed in through a session (a JWT from login or refresh). */
export interface SessionPrincipal {
  kind: 'session';
  userId: string;
  sessionId: string;
  role: 'user' | 'admin';
  tokenId?: undefined;
  scopes?: undefined;
}

/** A user's personal access token (`tmk_…`), limited to its scopes. */
export interface TokenPrincipal {
  kind: 'token';
  userId: string;
  tokenId: string;
  scopes: readonly string[];
  role: 'user' | 'admin';
  sessionId?: undefined;
}

export type Principal = SessionPrincipal | TokenPrincipal;

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

/**
 * 403 `insufficient_scope` (RFC 6750 §3.1): the access token is valid but may not call this
 * operation. `scope` names the scope that would allow it; without one, no token may.
 */
export function insufficientScope(scope?: string): ProblemError {
  const challenge = ['Bearer realm="task-manager"', 'error="insufficient_scope"'];
  if (scope !== undefined) challenge.push(`scope="${scope}"`);
  return new ProblemError({
    status: 403,
    code: 'insufficient_scope',
    title: 'The access token may not do this',
    detail:
      scope === undefined
        ? 'Access tokens cannot call this operation; sign in instead.'
        : `This operation needs an access token with the scope \`${scope}\`.`,
    headers: { 'WWW-Authenticate': challenge.join(', ') },
  });
}

/**
 * The session behind a request to an operation only sessions may call. Bearer authentication has
 * refused access tokens there already (by the token-access table); this keeps the type honest.
 */
export function sessionOf(c: Context<AuthEnv>): SessionPrincipal {
  const principal = c.get('principal');
  if (principal.kind !== 'session') throw insufficientScope();
  return principal;
}
