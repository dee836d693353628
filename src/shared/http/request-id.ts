import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../infra/logger.ts';
import type { AppEnv } from './app-env.ts';

/** A client-sent id is kept only when it is short and made of safe characters (no log injection). */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const sent = c.req.header('x-request-id');
    const id = sent !== undefined && SANE_REQUEST_ID.test(sent) ? sent : randomUUID();
    c.set('requestId', id);
    c.set('logger', logger.child({ request_id: id }));
    c.header('X-Request-Id', id);
    await next();
    c.res.headers.set('X-Request-Id', id);
  };
}
