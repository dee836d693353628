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

/** The entity tag of a task representation: weak, since its counts change between versions. */
export const taskEtag = (version: number) => `W/"${version}"`;

/** `*`, or one entity tag of this API (weak or strong): what `If-Match` accepts. */
export const IF_MATCH_PATTERN = /^(?:\*|(?:W\/)?"[0-9]{1,15}")$/;
const TAG = /^(?:W\/)?"([0-9]{1,15})"$/;

/** The version an `If-Match` names, `'*'` for any, or undefined when there is none. */
export function ifMatchVersion(header: string | undefined): number | '*' | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*') return '*';
  const match = TAG.exec(value);
  return match ? Number(match[1]) : undefined;
}

/** Whether `If-None-Match` names the current version (weak comparison, RFC 9110 §13.1.2). */
export function noneMatchHits(header: string | undefined, version: number): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const value = tag.trim();
    return value === '*' || TAG.exec(value)?.[1] === String(version);
  });
}
