import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.ts';
import { ProblemError } from './problem.ts';

const JSON_BODY = /^application\/([a-z.+-]+\+)?json/i;

/**
 * PostgreSQL text cannot hold U+0000, so a NUL anywhere in a query string or a JSON body would
 * reach the database as a driver error (500). Refuse it here, for every route, as bad input.
 */
export function rejectNulCharacters(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const url = new URL(c.req.url);
    for (const [key, value] of url.searchParams) {
      if (key.includes('\0') || value.includes('\0')) throw nulProblem(key || 'query');
    }
    if (JSON_BODY.test(c.req.header('content-type') ?? '')) {
      // Hono caches the text, so the validator parses the same body without reading it again.
      const text = await c.req.text();
      if (text.includes('\0')) throw nulProblem('body');
      if (text.includes('\\u0000')) {
        const field = nulField(safeParse(text));
        if (field !== undefined) throw nulProblem(field);
      }
    }
    await next();
  };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The path of the first key or string value holding a NUL, if any. */
function nulField(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\0') ? path || 'body' : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    if (key.includes('\0')) return here;
    const found = nulField(inner, here);
    if (found !== undefined) return found;
  }
  return undefined;
}

const nulProblem = (field: string) =>
  new ProblemError({
    status: 400,
    code: 'validation_failed',
    title: 'Request validation failed',
    errors: [{ field, message: 'must not contain NUL (U+0000) characters' }],
  });
