import type { MiddlewareHandler } from 'hono';
import type { AuthEnv } from '../../shared/http/bearer-auth.ts';
import { liveRoutes, type LiveHttpOptions } from './adapters/http/live.routes.ts';
import { notificationsRoutes } from './adapters/http/notifications.routes.ts';
import { WsGateway, type WsGatewayOptions } from './adapters/realtime/ws-gateway.ts';
import type { NotificationsPorts } from './application/ports.ts';
import { createUseCases, type NotificationsUseCases } from './notifications.use-cases.ts';

export interface NotificationsModule {
  useCases: NotificationsUseCases;
  /** This instance's WebSocket gateway: start it with the HTTP server, stop it before. */
  gateway: WsGateway;
  /** Routers to mount under `/api/v1`. */
  routes(options: {
    requireAuth: MiddlewareHandler<AuthEnv>;
    authenticate: LiveHttpOptions['authenticate'];
    allowedOrigins: readonly string[];
    upgradeLimits?: LiveHttpOptions['upgradeLimits'];
  }): Array<ReturnType<typeof notificationsRoutes>>;
}

/** The notifications use cases over the given ports, their HTTP routes and WebSocket gateway. */
export function createNotificationsModule(
  ports: NotificationsPorts,
  realtime: Omit<WsGatewayOptions, 'useCases' | 'liveSessions'>,
): NotificationsModule {
  const useCases = createUseCases(ports);
  const gateway = new WsGateway({ ...realtime, useCases, liveSessions: ports.liveSessions });
  return {
    useCases,
    gateway,
    routes: ({ requireAuth, authenticate, allowedOrigins, upgradeLimits }) => [
      notificationsRoutes({ useCases, requireAuth }),
      liveRoutes({
        useCases,
        requireAuth,
        authenticate,
        gateway,
        allowedOrigins,
        upgradeLimits,
        onRefused: (status) => realtime.hooks?.refused?.(status),
      }),
    ],
  };
}
