import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { metricsAuthorizer } from './operations.routes.ts';

export interface MetricsListener {
  port: number;
  close(): Promise<void>;
}

/**
 * METRICS_PORT: `GET /metrics` on a listener of its own (e.g. reachable from the pod network
 * only), in every role, so a worker's metrics can be scraped too. It serves nothing else.
 */
export async function startMetricsListener(options: {
  registry: Registry;
  port: number;
  host: string;
  token?: string | undefined;
}): Promise<MetricsListener> {
  const authorized = metricsAuthorizer(options.token);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      refuse(res, path ?? '', { status: 404, code: 'not_found', title: 'Resource not found' });
      return;
    }
    if (!authorized(req.headers.authorization)) {
      refuse(res, path, {
        status: 401,
        code: 'unauthenticated',
        title: 'Authentication required',
        headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' },
      });
      return;
    }
    options.registry.metrics().then(
      (body) =>
        res
          .writeHead(200, {
            'Content-Type': options.registry.contentType,
            'X-Request-Id': randomUUID(),
          })
          .end(body),
      () =>
        refuse(res, path, { status: 500, code: 'internal_error', title: 'Internal server error' }),
    );
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The same problem+json answer as the main listener's, without its middleware. */
function refuse(
  res: ServerResponse,
  instance: string,
  answer: { status: number; code: string; title: string; headers?: Record<string, string> },
): void {
  const requestId = randomUUID();
  const body = JSON.stringify({
    type: `/problems/${answer.code.replaceAll('_', '-')}`,
    title: answer.title,
    status: answer.status,
    instance,
    code: answer.code,
    request_id: requestId,
  });
  res
    .writeHead(answer.status, {
      'Content-Type': 'application/problem+json',
      'X-Request-Id': requestId,
      ...answer.headers,
    })
    .end(body);
}
