import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { Category, CategoryPatch } from '../domain/category.ts';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, TasksPorts } from './ports.ts';

export interface UpdateCategoryInput extends CategoryPatch {
  actor: Actor;
  categoryId: string;
}

export type UpdateCategoryError = TaskErrorOf<
  'CategoryNotFound' | 'ValidationFailed' | 'CategoryExists'
>;

type Ports = Pick<TasksPorts, 'categories'>;

/** Renames or recolours one of the caller's categories; someone else's is not found. */
export class UpdateCategory {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: UpdateCategoryInput): ResultAsync<Category, UpdateCategoryError> {
    return new ResultAsync(this.update(input));
  }

  private async update(input: UpdateCategoryInput): Promise<Result<Category, UpdateCategoryError>> {
    const { actor, categoryId, ...patch } = input;
    const category = await this.ports.categories.findOwned(actor.userId, categoryId);
    if (!category) return err({ type: 'CategoryNotFound', categoryId });
    const updated = category.update(patch);
    if (updated.isErr()) return err(updated.error);
    if (!(await this.ports.categories.update(category))) {
      return err({ type: 'CategoryExists', name: category.name });
    }
    return ok(category);
  }
}
