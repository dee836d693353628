import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { forbidden, type TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, AdminProjectView, TasksPorts } from './ports.ts';

export interface AdminListProjectsInput {
  /** Must be a site admin (identity's role, not a project role). */
  actor: Actor;
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

type Ports = Pick<TasksPorts, 'projects' | 'users'>;

/** Every live project, Inboxes included, newest first: the site admin's view. */
export class AdminListProjects {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: AdminListProjectsInput): ResultAsync<AdminProjectPage, AdminListProjectsError> {
    return new ResultAsync(this.list(input));
  }

  private async list(
    input: AdminListProjectsInput,
  ): Promise<Result<AdminProjectPage, AdminListProjectsError>> {
    if (!(await this.ports.users.isSiteAdmin(input.actor.userId))) {
      return err(forbidden('administer'));
    }
    const { page, limit } = input;
    const { items, total } = await this.ports.projects.listAll({
      ...(input.q === undefined ? {} : { q: input.q }),
      offset: (page - 1) * limit,
      limit,
    });
    return ok({ items, total, page, limit });
  }
}
