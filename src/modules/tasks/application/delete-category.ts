import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, TasksPorts } from './ports.ts';

export interface DeleteCategoryInput {
  actor: Actor;
  categoryId: string;
}

export type DeleteCategoryError = TaskErrorOf<'CategoryNotFound'>;

type Ports = Pick<TasksPorts, 'categories' | 'transactions' | 'clock'>;

/** Deletes one of the caller's categories and takes it off every task filed under it. */
export class DeleteCategory {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: DeleteCategoryInput): ResultAsync<void, DeleteCategoryError> {
    return new ResultAsync(this.delete(input));
  }

  private async delete(input: DeleteCategoryInput): Promise<Result<void, DeleteCategoryError>> {
    const { ports } = this;
    const { actor, categoryId } = input;
    const category = await ports.categories.findOwned(actor.userId, categoryId);
    if (!category) return err({ type: 'CategoryNotFound', categoryId });
    const now = ports.clock.now();
    await ports.transactions.run(() => ports.categories.delete(category.id, now));
    return ok(undefined);
  }
}
