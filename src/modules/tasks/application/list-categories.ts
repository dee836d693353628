import { ok, ResultAsync, type Result } from 'neverthrow';
import type { Category } from '../domain/category.ts';
import type { Actor, TasksPorts } from './ports.ts';

export interface ListCategoriesInput {
  actor: Actor;
}

type Ports = Pick<TasksPorts, 'categories'>;

/** The caller's own categories, by name. */
export class ListCategories {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: ListCategoriesInput): ResultAsync<{ items: Category[] }, never> {
    return new ResultAsync(this.list(input));
  }

  private async list(input: ListCategoriesInput): Promise<Result<{ items: Category[] }, never>> {
    return ok({ items: await this.ports.categories.listOwned(input.actor.userId) });
  }
}
