import { IncomingMessage, STATUS_CODES } from 'node:http';
import type { FetchHandler } from './early-refusal.ts';

/** Headers that describe this connection, not the answer: the refusal sets its own. */
const CONNECTION_HEADERS = new Set([
  'connection',
  'content-length',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Sends a refused WebSocket upgrade (400, 401, 403, 426, ...) with its problem+json body.
 * @hono/node-server answers a refused upgrade itself, with the status and headers but an empty
 * body, by ending the socket with its own text; here the full answer is written first and that
 * later end is ignored. Upgrades that go ahead and ordinary requests pass through untouched.
 */
export function upgradeRefusalsWithBody(fetch: FetchHandler): FetchHandler {
  return async (request, env) => {
    const response = await fetch(request, env);
    const { incoming, outgoing } = env;
    // Only an upgrade comes without `outgoing`; below 400 it goes ahead (the adapter answers 101).
    if (outgoing !== undefined || !(incoming instanceof IncomingMessage) || response.status < 400) {
      return response;
    }
    const socket = incoming.socket;
    const body = Buffer.from(await response.arrayBuffer());
    const lines = [
      `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}`,
      'Connection: close',
      `Content-Length: ${body.length}`,
    ];
    response.headers.forEach((value, name) => {
      if (!CONNECTION_HEADERS.has(name)) lines.push(`${name}: ${value}`);
    });
    if (!socket.destroyed) {
      socket.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]));
      socket.end = () => socket;
    }
    return response;
  };
}
