import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.ts';
import { ProblemError, validationProblem } from './problem.ts';

const JSON_BODY = /^application\/([a-z.+-]+\+)?json/i;
/** A JSON escape of a UTF-16 surrogate half (`\uD800`–`\uDFFF`). */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;

/**
 * Text the database cannot store as sent is refused here, for every route, as bad input:
 * PostgreSQL text cannot hold U+0000 (the driver fails: a 500), and a lone UTF-16 surrogate is
 * silently replaced by U+FFFD (the stored text would differ from what the write answered).
 */
export function rejectUnstorableText(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const url = new URL(c.req.url);
    for (const [key, value] of url.searchParams) {
      if (!storable(key) || !storable(value)) throw unstorable(key || 'query');
    }
    if (JSON_BODY.test(c.req.header('content-type') ?? '')) {
      // Hono caches the text, so the validator parses the same body without reading it again.
      const text = await c.req.text();
      if (text.includes('\0')) throw unstorable('body');
      if (text.includes('\\u0000') || SURROGATE_ESCAPE.test(text)) {
        const field = unstorableField(safeParse(text));
        if (field !== undefined) throw unstorable(field);
      }
    }
    await next();
  };
}

const storable = (text: string) => !text.includes('\0') && text.isWellFormed();

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The path of the first key or string value that cannot be stored, if any. */
function unstorableField(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return storable(value) ? undefined : path || 'body';
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    if (!storable(key)) return here;
    const found = unstorableField(inner, here);
    if (found !== undefined) return found;
  }
  return undefined;
}

const unstorable = (field: string) =>
  new ProblemError(
    validationProblem([
      { field, message: 'must be valid Unicode text without NUL (U+0000) characters' },
    ]),
  );
