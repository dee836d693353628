import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { routePath } from 'hono/route';
import type { IdempotencyStore, StoredAnswer } from '../domain/idempotency-store.ts';
import type { AuthEnv } from './bearer-auth.ts';
import type { AppEnv } from './app-env.ts';
import { requestHeader } from './node-bindings.ts';
import { problem, validationProblem, type ProblemInit } from './problem.ts';

/**
 * `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header) on the operations listed in
 * `src/idempotent-operations.ts`: the first answer under a key is stored and replayed to retries
 * that send the same body; the key is claimed atomically, and the claim is a lease that lapses
 * when its holder dies, so a crashed request leaves the key usable.
 */

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;
/** 1–255 visible ASCII characters. */
export const IDEMPOTENCY_KEY_PATTERN = new RegExp(
  `^[\\x21-\\x7e]{1,${IDEMPOTENCY_KEY_MAX_LENGTH}}$`,
);
/** How long a stored answer is replayed. */
export const IDEMPOTENCY_RETENTION_SECONDS = 24 * 60 * 60;
/**
 * A running request's claim lapses this long after its last renewal. Renewed every third of it
 * while the request runs, so a live request keeps its key however long it takes (a renewal may
 * miss once, on a 1 s Redis timeout, without losing it), while the key of a request whose process
 * died becomes usable again within 10 s: about the time a client's retry back-off takes anyway.
 */
export const IDEMPOTENCY_LEASE_MS = 10_000;
/** Seconds a retry is told to wait while the first request runs: creates take milliseconds. */
export const IDEMPOTENCY_RETRY_AFTER_SECONDS = 1;
/** Larger answers are not stored; the operations listed answer a few KiB at most. */
export const MAX_STORED_BODY_BYTES = 1024 * 1024;
/** Response headers replayed with the body. */
const STORED_HEADERS = ['content-type', 'location', 'etag'];
/**
 * 4xx answers that are not final for the request as sent: credentials, timing and conflicts with
 * other requests. With 5xx, they leave the key free for the retry to run afresh.
 */
export const UNSTORED_CLIENT_ERRORS: ReadonlySet<number> = new Set([401, 408, 409, 413, 425, 429]);

/** Whether an answer with `status` is stored and replayed. */
export const isStoredStatus = (status: number) =>
  (status >= 200 && status < 300) ||
  (status >= 400 && status < 500 && !UNSTORED_CLIENT_ERRORS.has(status));

export type IdempotencyOutcome =
  'stored' | 'replayed' | 'in_progress' | 'key_reused' | 'not_stored' | 'lease_lost';

export interface IdempotencyOptions {
  store: IdempotencyStore;
  /** `METHOD /path/{param}` of every operation that honours the header. */
  operations: readonly string[];
  /** Operations that answer the header with 400 (it cannot make their retries safe). */
  refused?: readonly string[];
  leaseMs?: number;
  onOutcome?: (outcome: IdempotencyOutcome) => void;
}

/** `POST /api/v1/tasks/{task_id}/comments` as the router names it: `POST /api/v1/tasks/:task_id/comments`. */
const routerForm = (operation: string) => operation.replace(/\{([^}]+)\}/g, ':$1');

/**
 * Runs after authentication and the per-user rate limit, so both are answered as usual. Its own
 * answers are set on the context rather than thrown, so that the middleware around it still adds
 * its headers to them.
 */
export function idempotency(
  options: IdempotencyOptions,
): (c: Context<AuthEnv>, next: () => Promise<void>) => Promise<void> {
  const operations = new Set(options.operations.map(routerForm));
  const refused = new Set((options.refused ?? []).map(routerForm));
  const leaseMs = options.leaseMs ?? IDEMPOTENCY_LEASE_MS;
  const report = options.onOutcome ?? (() => undefined);
  return async (c, next) => {
    // Looked up on every authenticated request: read from node's parsed headers where it can.
    const header = requestHeader(c, 'idempotency-key');
    if (header === undefined) return next();
    const operation = `${c.req.method} ${routePath(c)}`;
    if (refused.has(operation)) return refuse(c, KEY_NOT_ACCEPTED);
    if (!operations.has(operation)) return next();
    // Sent twice, the values arrive joined by ", ", which no key may contain.
    const key = keyOf(header);
    if (key === undefined) return refuse(c, BAD_KEY);
    const principal = c.get('principal');
    const scope = idempotencyScope(principal.tokenId ?? principal.userId, operation, key);
    // The body is read (within the body limit) before the key is claimed: a body that fails to
    // arrive leaves no claim behind.
    const fingerprint = await fingerprintOf(c);
    const claim = await options.store.claim(scope, fingerprint, leaseMs);
    if (claim.state !== 'claimed') {
      if (claim.fingerprint !== fingerprint) {
        report('key_reused');
        return refuse(c, KEY_REUSED);
      }
      if (claim.state === 'running') {
        report('in_progress');
        return refuse(c, IN_PROGRESS);
      }
      report('replayed');
      c.res = replay(claim.answer);
      return;
    }
    const { lease } = claim;
    // A renewal that fails is retried by the next; the completion below finds out if all failed.
    const renewal = setInterval(() => void lease.renew(leaseMs).catch(() => false), leaseMs / 3);
    renewal.unref();
    try {
      await next();
    } finally {
      clearInterval(renewal);
    }
    const stored = await storableAnswer(c);
    if (stored === undefined) {
      report('not_stored');
      // Should Redis fail here, the lease lapses by itself.
      await lease.release().catch(() => undefined);
      return;
    }
    // The work is done: a store that fails now must not turn its answer into an error.
    const kept = await lease.complete(stored, IDEMPOTENCY_RETENTION_SECONDS).catch((err: Error) => {
      c.get('logger').warn({ err: { message: err.message } }, 'idempotent answer not stored');
      return undefined;
    });
    if (kept === false) {
      c.get('logger').warn({ route: routePath(c) }, 'idempotency lease lapsed mid-request');
    }
    // A store that failed is counted with the answers not stored; a lapsed lease on its own.
    report(kept === undefined ? 'not_stored' : kept ? 'stored' : 'lease_lost');
  };
}

/** The key: a header value, or the String of the draft's Structured Field form (`"…"`). */
function keyOf(header: string): string | undefined {
  if (!IDEMPOTENCY_KEY_PATTERN.test(header)) return undefined;
  const quoted = /^"([^"\\]+)"$/.exec(header);
  return quoted ? quoted[1]! : header;
}

/** Where a key is kept: per caller (a user, or one of their access tokens) and per operation. */
export const idempotencyScope = (caller: string, operation: string, key: string) =>
  createHash('sha256')
    .update(JSON.stringify([caller, operation, key]))
    .digest('hex');

/**
 * What makes two requests under one key the same request: the path and query (the same key on
 * another task is another request), the media type and the body's bytes.
 */
export const requestFingerprint = (target: string, contentType: string, body: Uint8Array) =>
  createHash('sha256')
    .update(JSON.stringify([target, contentType]))
    .update(body)
    .digest('base64url');

async function fingerprintOf(c: Context<AuthEnv>): Promise<string> {
  const url = new URL(c.req.url);
  const body = new Uint8Array(await c.req.arrayBuffer());
  return requestFingerprint(url.pathname + url.search, c.req.header('content-type') ?? '', body);
}

/** The answer to store, or undefined when it must not be (not final, too large, nobody listening). */
async function storableAnswer(c: Context<AuthEnv>): Promise<StoredAnswer | undefined> {
  const { status } = c.res;
  if (!isStoredStatus(status)) return undefined;
  // A refusal nobody received (the client went away mid-body) is not its answer to replay.
  if (status >= 400 && c.req.raw.signal.aborted) return undefined;
  const body = new Uint8Array(await c.res.clone().arrayBuffer());
  if (body.byteLength > MAX_STORED_BODY_BYTES) return undefined;
  const headers: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const value = c.res.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return { status, headers, body };
}

function replay(answer: StoredAnswer): Response {
  const headers = new Headers(answer.headers);
  headers.set(IDEMPOTENT_REPLAYED_HEADER, 'true');
  const body = answer.body.byteLength === 0 ? null : answer.body;
  return new Response(body, { status: answer.status, headers });
}

function refuse(c: Context<AuthEnv>, init: ProblemInit): void {
  c.res = problem(c as unknown as Context<AppEnv>, init);
}

const BAD_KEY = validationProblem([
  {
    field: IDEMPOTENCY_KEY_HEADER,
    message: `must be 1–${IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters`,
  },
]);

export const KEY_NOT_ACCEPTED_MESSAGE =
  'is not accepted by this operation: its retries cannot be made safe, so it is refused rather than ignored';

const KEY_NOT_ACCEPTED = validationProblem([
  { field: IDEMPOTENCY_KEY_HEADER, message: KEY_NOT_ACCEPTED_MESSAGE },
]);

const IN_PROGRESS: ProblemInit = {
  status: 409,
  code: 'idempotency_in_progress',
  title: 'A request with this Idempotency-Key is still in progress',
  detail: 'Retry after the time in Retry-After to receive its answer.',
  headers: { 'Retry-After': String(IDEMPOTENCY_RETRY_AFTER_SECONDS) },
};

const KEY_REUSED: ProblemInit = {
  status: 422,
  code: 'idempotency_key_reused',
  title: 'Idempotency-Key reused with another request',
  detail: 'This key was sent with another path or body; use a new key for a new request.',
};
