import type { Context } from 'hono';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The `node:http` request and response behind a request that @hono/node-server serves. Reading
 * a header from them and setting fixed response headers on them skips building the fetch
 * `Headers` objects (and, for the response, a full `Response`), which cost more than most
 * handlers. `undefined` where there is no Node server behind the request (`app.request()`).
 */
export interface NodeBindings {
  incoming: IncomingMessage;
  outgoing: ServerResponse;
}

export function nodeBindings(c: Context): NodeBindings | undefined {
  const env = c.env as Partial<NodeBindings> | undefined;
  return env?.incoming?.headers !== undefined && typeof env.outgoing?.setHeader === 'function'
    ? (env as NodeBindings)
    : undefined;
}

/** A request header (`name` in lower case), from node's parsed headers where there are some. */
export function requestHeader(c: Context, name: string): string | undefined {
  const node = nodeBindings(c);
  if (!node) return c.req.header(name);
  const value = node.incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Whether the request announces a body (a length or a transfer coding), without reading it. */
export function announcesBody(c: Context): boolean {
  const node = nodeBindings(c);
  if (!node) return c.req.raw.body !== null;
  const { headers } = node.incoming;
  return headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined;
}
