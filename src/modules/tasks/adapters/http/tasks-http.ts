import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { AuthEnv } from '../../../../shared/http/bearer-auth.ts';
import { valueOr } from '../../../../shared/http/problem.ts';
import type { Result } from 'neverthrow';
import type { Clock } from '../../../../shared/domain/clock.ts';
import type { TaskError } from '../../domain/task.errors.ts';
import type { TasksUseCases } from '../../tasks.use-cases.ts';
import { taskProblem } from './tasks.problems.ts';

export interface TasksHttpOptions {
  useCases: TasksUseCases;
  /** Bearer authentication plus the per-user rate limit. */
  requireAuth: MiddlewareHandler<AuthEnv>;
  /** The clock the date rules are judged by, for judging a request completely before refusing it. */
  clock: Clock;
}

export const actorOf = (c: Context<AuthEnv>) => ({ userId: c.get('principal').userId });

/** The success value, or the error's problem thrown for `onError` to render. */
export function orProblem<T>(result: Result<T, TaskError>): T {
  return valueOr(result, taskProblem);
}

/**
 * The entity tag of a task representation, `W/"<version>.<digest>"`. The digest covers the whole
 * representation: comment and attachment counts and category names move without a new version,
 * and a 304 must not hide them. `If-Match` compares the version alone, since those do not
 * conflict with an edit.
 */
export const taskEtag = (representation: { version: number }) =>
  `W/"${representation.version}.${createHash('sha256')
    .update(JSON.stringify(representation))
    .digest('hex')
    .slice(0, 16)}"`;

/** `*`, or one entity tag of this API (weak or strong): what `If-Match` accepts. */
export const IF_MATCH_PATTERN = /^(?:\*|(?:W\/)?"[0-9]{1,15}(?:\.[0-9a-f]{1,64})?")$/;
const TAG = /^(?:W\/)?"([0-9]{1,15})(?:\.[0-9a-f]{1,64})?"$/;

/** The version an `If-Match` names, `'*'` for any, or undefined when there is none. */
export function ifMatchVersion(header: string | undefined): number | '*' | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*') return '*';
  const match = TAG.exec(value);
  return match ? Number(match[1]) : undefined;
}

/** Whether `If-None-Match` names the current tag (weak comparison, RFC 9110 §13.1.2). */
export function noneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}
