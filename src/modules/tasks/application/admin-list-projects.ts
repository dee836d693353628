import { errAsync, ResultAsync } from 'neverthrow';
import { forbidden, type TaskErrorOf } from '../domain/task.errors.ts';
import type { AdminProjectView, TasksPorts } from './ports.ts';

export interface AdminListProjectsInput {
  /** Whether the caller is a site admin (identity's role, not a project role). */
  callerIsAdmin: boolean;
  /** Case-insensitive substring of the project's name or its owner's email, taken literally. */
  q?: string;
  page: number;
  limit: number;
}

export interface AdminProjectPage {
  items: AdminProjectView[];
  total: number;
  page: number;
  limit: number;
}

export type AdminListProjectsError = TaskErrorOf<'Forbidden'>;

/** Every live project, Inboxes included, newest first: the site admin's view. */
export class AdminListProjects {
  private readonly ports: Pick<TasksPorts, 'projects'>;

  constructor(ports: Pick<TasksPorts, 'projects'>) {
    this.ports = ports;
  }

  execute(input: AdminListProjectsInput): ResultAsync<AdminProjectPage, AdminListProjectsError> {
    if (!input.callerIsAdmin) return errAsync(forbidden('administer'));
    const { page, limit } = input;
    return ResultAsync.fromSafePromise(
      this.ports.projects.listAll({
        ...(input.q === undefined ? {} : { q: input.q }),
        offset: (page - 1) * limit,
        limit,
      }),
    ).map(({ items, total }) => ({ items, total, page, limit }));
  }
}
