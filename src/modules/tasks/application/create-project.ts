import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { Project } from '../domain/project.ts';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, ProjectView, TasksPorts } from './ports.ts';

export interface CreateProjectInput {
  actor: Actor;
  name: string;
  description?: string | null;
  color?: string | null;
}

export type CreateProjectError = TaskErrorOf<'ValidationFailed'>;

type Ports = Pick<TasksPorts, 'projects' | 'ids' | 'clock'>;

/** A new shared project with the caller as its owner and only member. */
export class CreateProject {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: CreateProjectInput): ResultAsync<ProjectView, CreateProjectError> {
    return new ResultAsync(this.create(input));
  }

  private async create(
    input: CreateProjectInput,
  ): Promise<Result<ProjectView, CreateProjectError>> {
    const { actor, ...fields } = input;
    const created = Project.create(
      { id: this.ports.ids.next(), ...fields },
      this.ports.clock.now(),
    );
    if (created.isErr()) return err(created.error);
    await this.ports.projects.insert(created.value, actor.userId);
    return ok({ project: created.value, role: 'owner', memberCount: 1, taskCount: 0 });
  }
}
