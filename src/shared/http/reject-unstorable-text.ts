import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.ts';
import { ProblemError, validationProblem } from './problem.ts';

/** The deepest nesting of arrays and objects a JSON body may have (no schema comes near it). */
export const MAX_JSON_DEPTH = 64;

const JSON_BODY = /^application\/([a-z.+-]+\+)?json/i;
/** A JSON escape of a UTF-16 surrogate half (`\uD800`–`\uDFFF`). */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;

/**
 * Text the database cannot store as sent is refused as bad input: PostgreSQL text cannot hold
 * U+0000 (the driver fails: a 500), and a lone UTF-16 surrogate is silently replaced by U+FFFD
 * (the stored text would differ from what the write answered). The query string is checked here,
 * for every route; bodies by `guardJsonBody`, on the routes that take one.
 */
export function rejectUnstorableQuery(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.url.includes('?')) {
      for (const [key, value] of new URL(c.req.url).searchParams) {
        if (!storable(key) || !storable(value)) throw unstorable(key || 'query');
      }
    }
    await next();
  };
}

/**
 * Runs on a route that takes a JSON body, after its authentication and before its validator, so
 * no body is read for a route that takes none or for a caller who may not call it. The nesting
 * is measured on the text, in one pass without recursion, before anything parses it.
 */
export const guardJsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (JSON_BODY.test(c.req.header('content-type') ?? '')) {
    // Hono caches the text, so the validator parses the same body without reading it again.
    const text = await c.req.text();
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) throw tooDeep();
    if (text.includes('\0')) throw unstorable('body');
    if (text.includes('\\u0000') || SURROGATE_ESCAPE.test(text)) {
      const field = unstorableField(safeParse(text));
      if (field !== undefined) throw unstorable(field);
    }
  }
  await next();
};

/** Whether arrays and objects outside strings nest deeper than `max`; malformed text is left to the parser. */
function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c) i++;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x5b || code === 0x7b) {
      if (++depth > max) return true;
    } else if (code === 0x5d || code === 0x7d) depth--;
  }
  return false;
}

const storable = (text: string) => !text.includes('\0') && text.isWellFormed();

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The path of the first key or string value that cannot be stored, if any (walked with a stack). */
function unstorableField(root: unknown): string | undefined {
  const stack: Array<[unknown, string]> = [[root, '']];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [value, path] = item;
    if (typeof value === 'string') {
      if (!storable(value)) return path || 'body';
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    const entries = Object.entries(value as Record<string, unknown>);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, inner] = entries[i]!;
      const here = path ? `${path}.${key}` : key;
      if (!storable(key)) return here;
      stack.push([inner, here]);
    }
  }
  return undefined;
}

const unstorable = (field: string) =>
  new ProblemError(
    validationProblem([
      { field, message: 'must be valid Unicode text without NUL (U+0000) characters' },
    ]),
  );

const tooDeep = () =>
  new ProblemError(
    validationProblem([
      {
        field: 'body',
        message: `must not nest arrays and objects deeper than ${MAX_JSON_DEPTH} levels`,
      },
    ]),
  );
