import { serve, type ServerType } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { buildApp } from './app.ts';
import { WS_MAX_CLIENT_MESSAGE_BYTES } from './modules/notifications/adapters/realtime/ws-gateway.ts';
import type { Container } from './container.ts';
import { readableEarlyRefusals } from './shared/http/early-refusal.ts';
import { upgradeRefusalsWithBody } from './shared/http/upgrade-refusal.ts';

export interface RunningServer {
  port: number;
  /** Stops accepting, lets in-flight requests finish (up to `timeoutMs`), then drops the rest. */
  close(timeoutMs: number): Promise<void>;
}

export async function startHttpServer(
  container: Container,
  port: number,
  host: string,
): Promise<RunningServer> {
  const app = buildApp(container);
  const gateway = container.notifications.gateway;
  await gateway.start();
  const websocket = {
    server: new WebSocketServer({ noServer: true, maxPayload: WS_MAX_CLIENT_MESSAGE_BYTES }),
  };
  const fetch = upgradeRefusalsWithBody(
    readableEarlyRefusals((request, env) => app.fetch(request, env)),
  );
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch, port, hostname: host, websocket }, () => resolve(s));
    s.once('error', reject);
  });
  const http = server as Server;
  http.headersTimeout = 15_000;
  http.requestTimeout = 30_000;
  http.keepAliveTimeout = 5_000;
  const address = http.address() as AddressInfo;
  return {
    port: address.port,
    close: async (timeoutMs) => {
      // Upgraded sockets would hold `close` open: say goodbye to them (1001) first.
      await gateway.stop();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => http.closeAllConnections(), timeoutMs);
        force.unref();
        // Keep-alive connections turn idle as their last response ends: drop them as they do.
        const sweep = setInterval(() => http.closeIdleConnections(), 100);
        http.close(() => {
          clearTimeout(force);
          clearInterval(sweep);
          resolve();
        });
        http.closeIdleConnections();
      });
    },
  };
}
