import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { validationFailed, type TaskErrorOf } from '../domain/task.errors.ts';
import { isStorableTime } from '../domain/task-fields.ts';
import type { Actor, ProjectKeysetPosition, ProjectView, TasksPorts } from './ports.ts';

/** How "my projects" are ordered, for the API description as much as for the repository. */
export const PROJECT_LIST_ORDER =
  'The Inbox first, then newest first (by `created_at`, then `id`, both descending).';

export interface ListProjectsInput {
  actor: Actor;
  archived: boolean;
  limit: number;
  cursor?: string;
}

export interface ProjectPage {
  items: ProjectView[];
  /** Where the next page starts; null on the last page. */
  nextCursor: string | null;
}

export type ListProjectsError = TaskErrorOf<'ValidationFailed'>;

/** The caller's projects, one keyset page at a time. */
export class ListProjects {
  private readonly ports: Pick<TasksPorts, 'projects'>;

  constructor(ports: Pick<TasksPorts, 'projects'>) {
    this.ports = ports;
  }

  execute(input: ListProjectsInput): ResultAsync<ProjectPage, ListProjectsError> {
    return new ResultAsync(this.list(input));
  }

  private async list(input: ListProjectsInput): Promise<Result<ProjectPage, ListProjectsError>> {
    const after = input.cursor === undefined ? undefined : decodeProjectCursor(input.cursor);
    if (after === null) {
      return err(validationFailed([{ field: 'cursor', message: 'is not a cursor of this list' }]));
    }
    const { items, hasMore } = await this.ports.projects.listForMember({
      userId: input.actor.userId,
      archived: input.archived,
      limit: input.limit,
      ...(after === undefined ? {} : { after }),
    });
    const last = items.at(-1);
    return ok({ items, nextCursor: hasMore && last ? encodeProjectCursor(last) : null });
  }
}

/** Opaque to clients: base64url JSON of the last item's place in the order. */
export function encodeProjectCursor(view: ProjectView): string {
  const { project } = view;
  const position = { b: project.isInbox, c: project.createdAt.toISOString(), i: project.id };
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** The position a cursor names; null when it is not one this list hands out. */
export function decodeProjectCursor(cursor: string): ProjectKeysetPosition | null {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const { b: isInbox, c: created, i: id } = raw as Record<string, unknown>;
  if (typeof isInbox !== 'boolean' || typeof created !== 'string') return null;
  if (typeof id !== 'string' || !UUID.test(id)) return null;
  const createdAt = new Date(created);
  return isStorableTime(createdAt) ? { isInbox, createdAt, id } : null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
