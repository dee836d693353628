import type { MiddlewareHandler } from 'hono';
import type { AuthEnv } from '../../../../shared/http/bearer-auth.ts';
import type { ClientIpResolver } from '../../../../shared/http/client-ip.ts';
import type { LogInOutput } from '../../application/log-in.ts';
import type { IdentityUseCases } from '../../identity.use-cases.ts';
import type { CommonPasswordList } from '../../domain/password-policy.ts';
import { toTokenPairJson, toUserJson } from './identity.schemas.ts';

export interface IdentityHttpOptions {
  useCases: IdentityUseCases;
  /** Bearer authentication plus the per-user rate limit, for every authenticated route. */
  requireAuth: MiddlewareHandler<AuthEnv>;
  clientIp: ClientIpResolver;
  /** Starts work the answer does not wait for. */
  detach: (operation: string, work: () => Promise<unknown>) => void;
  /** The block list of the password policy, for judging a request completely before refusing it. */
  commonPasswords: CommonPasswordList;
}

/** Token responses must never be cached (RFC 6749 §5.1). */
export const NO_STORE = { 'Cache-Control': 'no-store' };

export function authResultJson(
  out: Pick<LogInOutput, 'user' | 'accessToken' | 'refreshToken' | 'expiresIn'>,
) {
  return { ...toTokenPairJson(out), user: toUserJson(out.user) };
}
