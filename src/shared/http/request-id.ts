import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { lazyChild, type Logger } from '../infra/logger.ts';
import type { AppEnv } from './app-env.ts';
import { nodeBindings, requestHeader } from './node-bindings.ts';

/** A client-sent id is kept only when it is short and made of safe characters (no log injection). */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const sent = requestHeader(c, 'x-request-id');
    const id = sent !== undefined && SANE_REQUEST_ID.test(sent) ? sent : randomUUID();
    c.set('requestId', id);
    // Built on first use: most requests log nothing below the configured level.
    c.set('logger', lazyChild(logger, { request_id: id }));
    const node = nodeBindings(c);
    if (node) {
      // Node merges it into whatever response is written, thrown problems and raw Responses too.
      node.outgoing.setHeader('X-Request-Id', id);
      return next();
    }
    c.header('X-Request-Id', id);
    await next();
    c.res.headers.set('X-Request-Id', id);
  };
}
