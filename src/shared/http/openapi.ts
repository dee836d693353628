import { z, type RouteConfig } from '@hono/zod-openapi';
import { NO_CONTROL_CHARACTERS } from '../domain/text.ts';
import { PROBLEM_MEDIA_TYPE, ProblemSchema } from './problem.ts';

/** A required JSON request body. */
export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  required: true,
  ...(description === undefined ? {} : { description }),
  content: { 'application/json': { schema } },
});

type ResponseDoc = Exclude<RouteConfig['responses'][string], { $ref: string }>;
type HeadersDoc = Exclude<NonNullable<ResponseDoc['headers']>, z.ZodObject>;

export interface HeaderDoc {
  description: string;
  required?: boolean;
  schema: { type: 'string' | 'integer'; format?: string; pattern?: string; example?: string };
}

/** Header objects as the route config takes them (the generator's types span three versions). */
export const headersDoc = (headers: Record<string, HeaderDoc>) => headers as unknown as HeadersDoc;

/** A JSON response of `schema`, with the headers it always carries. */
export const jsonResponse = <T extends z.ZodType>(
  description: string,
  schema: T,
  headers: Record<string, HeaderDoc> = {},
) => ({ description, content: { 'application/json': { schema } }, headers: headersDoc(headers) });

/** `ETag` of a representation that has a `version`: weak, since counts in it change in between. */
export const ETAG_HEADER: Record<'ETag', HeaderDoc> = {
  ETag: {
    description:
      'The representation’s entity tag, `W/"<version>.<digest>"`: send it back in `If-None-Match` ' +
      '(it changes with anything in the representation, counts included) or in `If-Match` ' +
      '(which compares the version alone).',
    required: true,
    schema: {
      type: 'string',
      pattern: '^W/"[0-9]+\\.[0-9a-f]{16}"$',
      example: 'W/"3.9f86d081884c7d65"',
    },
  },
};

/** `Location` of a 201 that created an addressable resource. */
export const LOCATION_HEADER: Record<'Location', HeaderDoc> = {
  Location: {
    description: 'The path of the created resource.',
    required: true,
    schema: { type: 'string', format: 'uri-reference', example: '/api/v1/tasks/0193a1f2-…' },
  },
};

export const BEARER_SECURITY: Array<Record<string, string[]>> = [{ bearerAuth: [] }];

const STANDARD: Record<number, { description: string; codes: readonly string[] }> = {
  400: {
    description: 'The request is malformed or fails validation; `errors` names every field.',
    codes: ['validation_failed'],
  },
  401: {
    description: 'Missing, invalid, expired or revoked credentials.',
    codes: ['unauthenticated'],
  },
  403: { description: 'The caller may see the resource but not do this.', codes: ['forbidden'] },
  404: { description: 'No such resource, or the caller may not see it.', codes: ['not_found'] },
  409: { description: 'The request conflicts with the current state.', codes: [] },
  412: {
    description: '`If-Match` names a version that is no longer current; see `current_version`.',
    codes: ['precondition_failed'],
  },
  413: { description: 'The body is larger than allowed.', codes: ['payload_too_large'] },
  415: {
    description: 'The body has an unsupported media type.',
    codes: ['unsupported_media_type'],
  },
  423: {
    description: 'The account is temporarily locked; see `Retry-After`.',
    codes: ['account_locked'],
  },
  429: { description: 'Too many requests; see `Retry-After`.', codes: ['rate_limited'] },
  500: {
    description: 'Unexpected error; the body carries only the request id.',
    codes: ['internal_error'],
  },
  503: {
    description: 'A dependency (database or Redis) is unavailable; retry after `Retry-After`.',
    codes: ['service_unavailable'],
  },
};

/** Codes whose problem carries the task's `current_version`. */
const VERSIONED_CODES = new Set(['version_conflict', 'precondition_failed']);

/**
 * A problem response: `status`, a description, and the codes it may carry (the status's usual
 * codes when not given).
 */
export type ProblemEntry = number | [number, string] | [number, string, readonly string[]];

const problemSchemas = new Map<
  string,
  { status: number; schema: ReturnType<typeof buildProblemSchema> }
>();

/**
 * The problem schema of responses whose `code` is one of `codes`, a named component (e.g.
 * `AlreadyAssignedOrVersionConflictProblem`) so that clients get one type per set of codes.
 */
function problemSchema(status: number, codes: readonly string[]) {
  const name = `${codes.map(pascalCase).join('Or')}Problem`;
  const known = problemSchemas.get(name);
  if (known && known.status !== status) {
    throw new Error(`${name} is answered with ${known.status} already, not ${status}`);
  }
  if (known) return known.schema;
  const schema = buildProblemSchema(status, codes).openapi(name);
  problemSchemas.set(name, { status, schema });
  return schema;
}

const pascalCase = (code: string) =>
  code.replace(/(?:^|_)([a-z])/g, (_, letter: string) => letter.toUpperCase());

function buildProblemSchema(status: number, codes: readonly string[]) {
  const code = z.enum(codes as [string, ...string[]]);
  const versioned = codes.filter((c) => VERSIONED_CODES.has(c));
  const currentVersion = z.number().int().openapi({
    description:
      'The version the resource is at now (with `version_conflict` and `precondition_failed`).',
  });
  const quota = codes.includes('storage_quota_exceeded');
  const bytes = (description: string) => {
    const schema = z.number().int().min(0).openapi({ description });
    return codes.length === 1 ? schema : schema.optional();
  };
  return ProblemSchema.extend({
    code,
    ...(status === 400 ? { errors: ProblemSchema.shape.errors.unwrap().min(1) } : {}),
    ...(quota
      ? {
          quota_bytes: bytes('The caller’s storage quota (with `storage_quota_exceeded`).'),
          used_bytes: bytes(
            'What the caller’s attachments take now (with `storage_quota_exceeded`).',
          ),
        }
      : {}),
    ...(versioned.length === 0
      ? {}
      : {
          current_version:
            versioned.length === codes.length ? currentVersion : currentVersion.optional(),
        }),
  });
}

/** OpenAPI `responses` entries for problems, plus the 500 and 503 any route may answer. */
/** The 503 of routes that hash a password: hashing is queued, and a full queue is refused. */
export const PASSWORD_HASHING_BUSY: ProblemEntry = [
  503,
  'Too many password checks are queued (`server_busy`), or a dependency is unavailable ' +
    '(`service_unavailable`); `Retry-After` says when to retry.',
  ['server_busy', 'service_unavailable'],
];

export function errorResponses(...entries: ProblemEntry[]) {
  const responses: Record<
    string,
    {
      description: string;
      content: Record<string, { schema: ReturnType<typeof problemSchema> }>;
    }
  > = {};
  // 500 and 503 first, which any route may answer: a route may describe its own 503.
  for (const entry of [500, 503, ...entries]) {
    const [status, description, codes] = Array.isArray(entry) ? entry : [entry];
    const standard = STANDARD[status];
    const listed = codes ?? standard?.codes ?? [];
    if (listed.length === 0) throw new Error(`name the problem codes of a ${status} response`);
    responses[String(status)] = {
      description: description ?? standard?.description ?? 'Error',
      content: { [PROBLEM_MEDIA_TYPE]: { schema: problemSchema(status, listed) } },
    };
  }
  return responses;
}

export interface TextRules {
  min?: number;
  max: number;
  /** Judged (and passed on) without leading and trailing whitespace. */
  trim?: boolean;
  /** Counted in this Unicode normalisation form (passwords are judged as stored: NFC). */
  normalize?: 'NFC';
  /** One line of text: no control characters. */
  singleLine?: boolean;
  /** Must hold something other than whitespace. */
  notBlank?: boolean;
}

const NOT_BLANK = /\S/;

/**
 * A string field with the domain's length rules, counted in code points as the domain (and JSON
 * Schema's `minLength`/`maxLength`) count them, so an emoji is one character, not two UTF-16 units.
 */
export function text(rules: TextRules) {
  const min = rules.min ?? 0;
  const { max } = rules;
  const length = (value: string) =>
    [...(rules.normalize ? value.normalize(rules.normalize) : value)].length;
  const base = rules.trim ? z.string().trim() : z.string();
  return base
    .refine(
      (value) => {
        const n = length(value);
        return n >= min && n <= max;
      },
      lengthMessage(min, max),
    )
    .refine(
      (value) => !rules.singleLine || NO_CONTROL_CHARACTERS.test(value),
      'must not contain control characters',
    )
    .refine((value) => !rules.notBlank || NOT_BLANK.test(value), 'must not be only whitespace')
    .openapi({
      ...(min > 0 ? { minLength: min } : {}),
      maxLength: max,
      ...(rules.singleLine ? { pattern: NO_CONTROL_CHARACTERS.source } : {}),
      ...(rules.notBlank ? { pattern: NOT_BLANK.source } : {}),
    });
}

function lengthMessage(min: number, max: number): string {
  return min > 0 ? `must be ${min}–${max} characters` : `must be at most ${max} characters`;
}

interface OperationDoc {
  security?: Array<Record<string, string[]>>;
  requestBody?: unknown;
  responses: Record<string, { description: string; headers?: Record<string, unknown> } & object>;
}

interface DocumentDoc {
  paths?: Record<string, Record<string, OperationDoc>>;
  components?: { headers?: Record<string, unknown> } & object;
}

/** How the app's middleware treats an operation, so the document can say what it sends. */
export interface MiddlewareFacts {
  /** The operation is rate limited, and which of its statuses may come before the limiter runs. */
  rateLimited(path: string, operation: OperationDoc): { before: number[] } | undefined;
}

const HEADER_COMPONENTS: Record<string, HeaderDoc> = {
  'X-Request-Id': {
    description: 'The request’s id, as logged: the client’s own if it sent a sane one.',
    required: true,
    schema: { type: 'string', example: '0193a1f2-8b7c-7d4e-9f00-1a2b3c4d5e6f' },
  },
  'RateLimit-Limit': {
    description: 'Requests allowed per window (the tighter limit where two apply).',
    required: true,
    schema: { type: 'integer', example: '100' },
  },
  'RateLimit-Remaining': {
    description: 'Requests left in the current window.',
    required: true,
    schema: { type: 'integer', example: '99' },
  },
  'RateLimit-Reset': {
    description: 'Seconds until the window resets.',
    required: true,
    schema: { type: 'integer', example: '60' },
  },
  'Retry-After': {
    description: 'Seconds to wait before trying again.',
    required: true,
    schema: { type: 'integer', example: '30' },
  },
  'WWW-Authenticate': {
    description: 'The Bearer challenge (RFC 6750).',
    required: true,
    schema: { type: 'string', example: 'Bearer realm="task-manager"' },
  },
};

const RETRY_AFTER_STATUSES = new Set(['423', '429', '503']);
/** Answered before any rate limiter counts the request, or when the limiter itself failed. */
const NEVER_RATE_LIMITED = new Set(['413', '500', '503']);
const METHODS_WITH_BODY_LIMIT = new Set(['post', 'put', 'patch']);

const ref = (name: string) => ({ $ref: `#/components/headers/${name}` });

/**
 * Declares in a generated document what middleware adds to every response, which the routes
 * cannot see: `X-Request-Id` everywhere, `RateLimit-*` on limited operations, `Retry-After` on
 * 423/429/503 problems, `WWW-Authenticate` on 401, and the body limit's 413 on every operation
 * that takes a body.
 */
export function declareMiddleware<D extends object>(document: D, facts: MiddlewareFacts): D {
  const doc = document as DocumentDoc;
  doc.components = { ...doc.components, headers: { ...doc.components?.headers } };
  Object.assign(doc.components.headers!, HEADER_COMPONENTS);
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      if (operation.requestBody !== undefined && METHODS_WITH_BODY_LIMIT.has(method)) {
        operation.responses['413'] ??= payloadTooLargeDoc();
      }
      const limited = facts.rateLimited(path, operation);
      for (const [status, response] of Object.entries(operation.responses)) {
        if (status.startsWith('1')) continue;
        const headers: Record<string, unknown> = { 'X-Request-Id': ref('X-Request-Id') };
        const content = 'content' in response ? (response.content as object) : {};
        const isProblem = PROBLEM_MEDIA_TYPE in content;
        if (limited) {
          // Declared wherever they may come; required where they always do.
          const always = !NEVER_RATE_LIMITED.has(status) && !limited.before.includes(+status);
          for (const name of ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']) {
            headers[name] = always ? ref(name) : { ...HEADER_COMPONENTS[name], required: false };
          }
        }
        if (isProblem && RETRY_AFTER_STATUSES.has(status))
          headers['Retry-After'] = ref('Retry-After');
        if (status === '401') headers['WWW-Authenticate'] = ref('WWW-Authenticate');
        response.headers = { ...headers, ...response.headers };
      }
    }
  }
  return document;
}

function payloadTooLargeDoc() {
  return {
    description: 'The body is larger than allowed.',
    content: {
      [PROBLEM_MEDIA_TYPE]: {
        schema: {
          allOf: [
            { $ref: '#/components/schemas/Problem' },
            {
              type: 'object',
              properties: { code: { type: 'string', enum: ['payload_too_large'] } },
            },
          ],
        },
      },
    },
  };
}
