import { errAsync, ResultAsync } from 'neverthrow';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, MemberView, TasksPorts } from './ports.ts';

export interface ListMembersInput {
  actor: Actor;
  projectId: string;
}

export type ListMembersError = TaskErrorOf<'ProjectNotFound'>;

/** Every member of a project, for any member of it; oldest members first. */
export class ListMembers {
  private readonly ports: Pick<TasksPorts, 'projects'>;

  constructor(ports: Pick<TasksPorts, 'projects'>) {
    this.ports = ports;
  }

  execute(input: ListMembersInput): ResultAsync<MemberView[], ListMembersError> {
    const { projects } = this.ports;
    return ResultAsync.fromSafePromise(
      projects.roleOf(input.projectId, input.actor.userId),
    ).andThen((role) =>
      role === undefined
        ? errAsync({ type: 'ProjectNotFound', projectId: input.projectId } as const)
        : ResultAsync.fromSafePromise(projects.listMembers(input.projectId)),
    );
  }
}
