import type { MiddlewareHandler } from 'hono';
import type { AuthEnv } from '../../shared/http/bearer-auth.ts';
import type { ClientIpResolver } from '../../shared/http/client-ip.ts';
import { adminUsersRoutes } from './adapters/http/admin-users.routes.ts';
import { authRoutes } from './adapters/http/auth.routes.ts';
import type { IdentityHttpOptions } from './adapters/http/identity-http.ts';
import { sessionsRoutes } from './adapters/http/sessions.routes.ts';
import { tokensRoutes } from './adapters/http/tokens.routes.ts';
import { usersRoutes } from './adapters/http/users.routes.ts';
import { LiveSessions, type LiveSessionCheck } from './application/support/live-sessions.ts';
import type { IdentityPorts } from './application/ports.ts';
import { createUseCases, type IdentityUseCases } from './identity.use-cases.ts';

export interface IdentityModule {
  useCases: IdentityUseCases;
  /** Whether a session may still act; other modules ask it for connections that outlive a request. */
  liveSessions: LiveSessionCheck;
  routes(options: {
    requireAuth: MiddlewareHandler<AuthEnv>;
    clientIp: ClientIpResolver;
    detach: IdentityHttpOptions['detach'];
  }): {
    auth: ReturnType<typeof authRoutes>;
    sessions: ReturnType<typeof sessionsRoutes>;
    users: ReturnType<typeof usersRoutes>;
    adminUsers: ReturnType<typeof adminUsersRoutes>;
    tokens: ReturnType<typeof tokensRoutes>;
  };
}

/** The identity use cases over the given ports, and their HTTP routes. */
export function createIdentityModule(ports: IdentityPorts): IdentityModule {
  const useCases = createUseCases(ports);
  return {
    useCases,
    liveSessions: new LiveSessions(ports),
    routes: (options) => ({
      auth: authRoutes({ useCases, commonPasswords: ports.commonPasswords, ...options }),
      sessions: sessionsRoutes({ useCases, requireAuth: options.requireAuth }),
      users: usersRoutes({ useCases, requireAuth: options.requireAuth }),
      adminUsers: adminUsersRoutes({ useCases, requireAuth: options.requireAuth }),
      tokens: tokensRoutes({ useCases, requireAuth: options.requireAuth, clock: ports.clock }),
    }),
  };
}
