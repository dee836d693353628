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

/** Problem responses plus 429/500/503, which any route may answer. */
export const errorResponses = (...statuses: Array<number | [number, string]>) =>
  problemResponses([...statuses, 500, 503]);

export const BEARER_SECURITY: Array<Record<string, string[]>> = [{ bearerAuth: [] }];
