import type { Context, MiddlewareHandler } from 'hono';
import type { AuthEnv } from '../../../../shared/http/bearer-auth.ts';
import { valueOr } from '../../../../shared/http/problem.ts';
import type { Result } from 'neverthrow';
import type { TaskError } from '../../domain/task.errors.ts';
import type { TasksUseCases } from '../../tasks.use-cases.ts';
import { taskProblem } from './tasks.problems.ts';

export interface TasksHttpOptions {
  useCases: TasksUseCases;
  /** Bearer authentication plus the per-user rate limit. */
  requireAuth: MiddlewareHandler<AuthEnv>;
}

export const actorOf = (c: Context<AuthEnv>) => ({ userId: c.get('principal').userId });

/** The success value, or the error's problem thrown for `onError` to render. */
export function orProblem<T>(result: Result<T, TaskError>): T {
  return valueOr(result, taskProblem);
}
