import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { AuthEnv } from '../../../../shared/http/bearer-auth.ts';
import { valueOr } from '../../../../shared/http/problem.ts';
import type { Result } from 'neverthrow';
import type { Clock } from '../../../../shared/domain/clock.ts';
import type { ProblemEntry } from '../../../../shared/http/openapi.ts';
import { REQUIRED_ROLE } from '../../domain/task-access.ts';
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

/**
 * Who may do what with a task, for the routes' descriptions: written from the roles the domain
 * requires (task-access.ts), so the document cannot drift from the rule.
 */
export const TASK_ACCESS_RULES = [
  'A task is visible to the members of its project; in an Inbox (the personal project, whose one member is its user) also to its assignee, by the assignment alone. In a shared project visibility is membership: an assignee removed from it no longer sees its tasks, completed ones included. Not visible: 404.',
  `Roles: \`${REQUIRED_ROLE.comment}\` and above read and comment; \`${REQUIRED_ROLE.edit_task}\` and above create, change, assign, move and delete tasks and attach files (\`${REQUIRED_ROLE.attach}\`). The assignee of an Inbox task may change its status, comment and attach. A comment is edited by its author alone and deleted by its author or an \`${REQUIRED_ROLE.delete_comment}\`+; an attachment is deleted by its uploader or an \`${REQUIRED_ROLE.delete_attachment}\`+. Too low a role: 403 \`forbidden\`.`,
  'An archived project is read-only: every write to its tasks, comments and attachments gets 403 `project_archived`.',
].join(' ');

/** The 403 of every write to a task or what hangs off it. */
export const WRITE_REFUSED: ProblemEntry = [
  403,
  'Too low a role in the task’s project (`forbidden`), or the project is archived (`project_archived`).',
  ['forbidden', 'project_archived'],
];

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
