import type { z } from '@hono/zod-openapi';
import { problemResponses } from './problem.ts';

/** A required JSON request body. */
export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  required: true,
  ...(description === undefined ? {} : { description }),
  content: { 'application/json': { schema } },
});

/** A JSON response of `schema`. */
export const jsonResponse = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { 'application/json': { schema } },
});

/** Problem responses plus 500/503, which any route may answer (a route may describe its own 503). */
export const errorResponses = (...statuses: Array<number | [number, string]>) =>
  problemResponses([500, 503, ...statuses]);

/** The 503 of routes that hash a password: hashing is queued, and a full queue is refused. */
export const PASSWORD_HASHING_BUSY: [number, string] = [
  503,
  'Too many password checks are queued (`server_busy`), or a dependency is unavailable ' +
    '(`service_unavailable`); `Retry-After` says when to retry.',
];

export const BEARER_SECURITY: Array<Record<string, string[]>> = [{ bearerAuth: [] }];
