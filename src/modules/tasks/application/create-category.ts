import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { Category } from '../domain/category.ts';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, TasksPorts } from './ports.ts';

export interface CreateCategoryInput {
  actor: Actor;
  name: string;
  color?: string | null;
}

export type CreateCategoryError = TaskErrorOf<'ValidationFailed' | 'CategoryExists'>;

type Ports = Pick<TasksPorts, 'categories' | 'ids' | 'clock'>;

export class CreateCategory {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: CreateCategoryInput): ResultAsync<Category, CreateCategoryError> {
    return new ResultAsync(this.create(input));
  }

  private async create(input: CreateCategoryInput): Promise<Result<Category, CreateCategoryError>> {
    const { ports } = this;
    const created = Category.create(
      { id: ports.ids.next(), userId: input.actor.userId, name: input.name, color: input.color },
      ports.clock.now(),
    );
    if (created.isErr()) return err(created.error);
    const category = created.value;
    if (!(await ports.categories.insert(category))) {
      return err({ type: 'CategoryExists', name: category.name });
    }
    return ok(category);
  }
}
