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

const VALIDATION_TITLE = 'Request validation failed';

/**
 * The 400 `validation_failed` problem. Keeps one entry per field (the first reason given for it),
 * so a client can map the list straight onto its form.
 */
export function validationProblem(errors: readonly FieldError[], detail?: string): ProblemInit {
  return {
    status: 400,
    code: 'validation_failed',
    title: VALIDATION_TITLE,
    ...(detail === undefined ? {} : { detail }),
    errors: onePerField(errors),
  };
}

/** The errors in order, without a second entry for a field already named. */
export function onePerField(errors: readonly FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    if (seen.has(error.field)) return false;
    seen.add(error.field);
    return true;
  });
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

function problemBody<E extends AppEnv>(c: Context<E>, init: ProblemInit) {
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

export function problem<E extends AppEnv>(c: Context<E>, init: ProblemInit): Response {
  const headers = new Headers(init.headers);
  headers.set('Content-Type', PROBLEM_MEDIA_TYPE);
  return new Response(JSON.stringify(problemBody(c, init)), { status: init.status, headers });
}

const FieldErrorSchema = z
  .object({
    field: z.string().openapi({ example: 'email' }),
    message: z.string().openapi({ example: 'Invalid email address' }),
  })
  .openapi('FieldError');

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: '/problems/validation-failed' }),
    title: z.string().openapi({ example: VALIDATION_TITLE }),
    status: z.number().int().openapi({ example: 400 }),
    detail: z.string().optional(),
    instance: z.string().openapi({ example: '/api/v1/tasks' }),
    code: z.string().openapi({
      example: 'validation_failed',
      description: 'Stable machine-readable reason; each response lists the codes it may carry.',
    }),
    request_id: z.string().openapi({ example: '0193a1f2-8b7c-7d4e-9f00-1a2b3c4d5e6f' }),
    errors: z
      .array(FieldErrorSchema)
      .optional()
      .openapi({ description: 'One entry per offending field (400 responses).' }),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details.' });

/** The success value, or a thrown `ProblemError` (rendered by `onError`) for an expected failure. */
export function valueOr<T, E>(result: Result<T, E>, toProblem: (error: E) => ProblemInit): T {
  if (result.isErr()) throw new ProblemError(toProblem(result.error));
  return result.value;
}
