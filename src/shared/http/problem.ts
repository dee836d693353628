import type { Result } from 'neverthrow';
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from './app-env.ts';

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

export interface FieldError {
  field: string;
  message: string;
}

export interface ProblemInit {
  status: ContentfulStatusCode;
  code: string;
  title: string;
  detail?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** Extra members defined by the problem type (e.g. `current_version`). */
  extensions?: Record<string, unknown>;
}

/** Thrown from middleware (or anywhere) to answer with a problem; `onError` renders it. */
export class ProblemError extends Error {
  readonly init: ProblemInit;
  constructor(init: ProblemInit) {
    super(init.title);
    this.name = 'ProblemError';
    this.init = init;
  }
}

export function problemBody(c: Context<AppEnv>, init: ProblemInit) {
  return {
    type: `/problems/${init.code.replaceAll('_', '-')}`,
    title: init.title,
    status: init.status,
    ...(init.detail === undefined ? {} : { detail: init.detail }),
    instance: new URL(c.req.url).pathname,
    code: init.code,
    request_id: c.get('requestId'),
    ...(init.errors === undefined ? {} : { errors: init.errors }),
    ...init.extensions,
  };
}

export function problem(c: Context<AppEnv>, init: ProblemInit): Response {
  const headers = new Headers(init.headers);
  headers.set('Content-Type', PROBLEM_MEDIA_TYPE);
  return new Response(JSON.stringify(problemBody(c, init)), { status: init.status, headers });
}

export const FieldErrorSchema = z
  .object({
    field: z.string().openapi({ example: 'email' }),
    message: z.string().openapi({ example: 'Invalid email address' }),
  })
  .openapi('FieldError');

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: '/problems/validation-failed' }),
    title: z.string().openapi({ example: 'Request validation failed' }),
    status: z.number().int().openapi({ example: 400 }),
    detail: z.string().optional(),
    instance: z.string().openapi({ example: '/api/v1/tasks' }),
    code: z.string().openapi({ example: 'validation_failed' }),
    request_id: z.string().openapi({ example: '0193a1f2-8b7c-7d4e-9f00-1a2b3c4d5e6f' }),
    errors: z.array(FieldErrorSchema).optional(),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details.' });

const STANDARD_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is malformed or fails validation (`validation_failed`).',
  401: 'Missing, invalid, expired or revoked credentials.',
  403: 'The caller may see the resource but not do this.',
  404: 'No such resource, or the caller may not see it.',
  409: 'The request conflicts with the current state.',
  413: 'The body is larger than allowed (`payload_too_large`).',
  415: 'The body has an unsupported media type (`unsupported_media_type`).',
  423: 'The account is temporarily locked (`account_locked`).',
  429: 'Too many requests (`rate_limited`); see `Retry-After`.',
  500: 'Unexpected error; the body carries only the request id.',
  503: 'A dependency (database or Redis) is unavailable; retry later.',
};

/** OpenAPI `responses` entries for problem statuses, with optional per-route descriptions. */
export function problemResponses(
  statuses: Array<number | [number, string]>,
): Record<
  string,
  { description: string; content: Record<string, { schema: typeof ProblemSchema }> }
> {
  const responses: Record<
    string,
    { description: string; content: Record<string, { schema: typeof ProblemSchema }> }
  > = {};
  for (const entry of statuses) {
    const [status, description] = Array.isArray(entry)
      ? entry
      : [entry, STANDARD_DESCRIPTIONS[entry] ?? 'Error'];
    responses[String(status)] = {
      description,
      content: { [PROBLEM_MEDIA_TYPE]: { schema: ProblemSchema } },
    };
  }
  return responses;
}

/** The success value, or a thrown `ProblemError` (rendered by `onError`) for an expected failure. */
export function valueOr<T, E>(result: Result<T, E>, toProblem: (error: E) => ProblemInit): T {
  if (result.isErr()) throw new ProblemError(toProblem(result.error));
  return result.value;
}
