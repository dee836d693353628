import type { CategoryRepository } from '../../../src/modules/tasks/application/ports.ts';
import {
  Category,
  categoryNameKey,
  type CategoryProps,
} from '../../../src/modules/tasks/domain/category.ts';
import type { InMemoryTasksDb } from './in-memory-tasks-db.ts';

export class InMemoryCategoryRepository implements CategoryRepository {
  private readonly db: InMemoryTasksDb;

  constructor(db: InMemoryTasksDb) {
    this.db = db;
  }

  async findOwned(userId: string, categoryId: string): Promise<Category | undefined> {
    const row = this.db.tables.categories.get(categoryId);
    return row?.userId === userId ? Category.restore(row) : undefined;
  }

  async findOwnedMany(userId: string, categoryIds: readonly string[]): Promise<Category[]> {
    return this.rowsOf(userId)
      .filter((row) => categoryIds.includes(row.id))
      .map((row) => Category.restore(row));
  }

  async listOwned(userId: string): Promise<Category[]> {
    return this.rowsOf(userId)
      .sort((a, b) => categoryNameKey(a.name).localeCompare(categoryNameKey(b.name)))
      .map((row) => Category.restore(row));
  }

  async insert(category: Category): Promise<boolean> {
    if (this.nameTaken(category)) return false;
    this.db.tables.categories.set(category.id, category.toProps());
    return true;
  }

  async update(category: Category): Promise<boolean> {
    if (!this.db.tables.categories.has(category.id)) throw new Error(`unknown ${category.id}`);
    if (this.nameTaken(category)) return false;
    this.db.tables.categories.set(category.id, category.toProps());
    return true;
  }

  async delete(categoryId: string, now: Date): Promise<void> {
    this.db.tables.categories.delete(categoryId);
    for (const task of this.db.tables.tasks.values()) {
      if (!task.categoryIds.includes(categoryId)) continue;
      task.categoryIds = task.categoryIds.filter((id) => id !== categoryId);
      task.version += 1;
      task.updatedAt = now;
    }
  }

  /** Seeds a category directly. */
  add(category: Category): Category {
    this.db.tables.categories.set(category.id, category.toProps());
    return category;
  }

  stored(categoryId: string): CategoryProps | undefined {
    const row = this.db.tables.categories.get(categoryId);
    return row && { ...row };
  }

  private rowsOf(userId: string): CategoryProps[] {
    return [...this.db.tables.categories.values()].filter((row) => row.userId === userId);
  }

  private nameTaken(category: Category): boolean {
    const key = categoryNameKey(category.name);
    return this.rowsOf(category.userId).some(
      (row) => row.id !== category.id && categoryNameKey(row.name) === key,
    );
  }
}
