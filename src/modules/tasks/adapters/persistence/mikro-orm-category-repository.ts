import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CategoryRepository } from '../../application/ports.ts';
import { Category, categoryNameKey } from '../../domain/category.ts';
import { CategoryRecord } from './tasks.entities.ts';
import { tasksDb } from './tasks-db.ts';

type CategoryRow = InstanceType<typeof CategoryRecord.class>;

export class MikroOrmCategoryRepository implements CategoryRepository {
  private readonly em: EntityManager;

  constructor(em: EntityManager) {
    this.em = em;
  }

  async findOwned(userId: string, categoryId: string): Promise<Category | undefined> {
    const row = await this.em.findOne(
      CategoryRecord,
      { id: categoryId, userId },
      { disableIdentityMap: true },
    );
    return row ? toCategory(row) : undefined;
  }

  async findOwnedMany(userId: string, categoryIds: readonly string[]): Promise<Category[]> {
    if (categoryIds.length === 0) return [];
    const rows = await this.em.find(
      CategoryRecord,
      { id: { $in: [...categoryIds] }, userId },
      { disableIdentityMap: true },
    );
    return rows.map(toCategory);
  }

  async listOwned(userId: string): Promise<Category[]> {
    const rows = await this.em.find(
      CategoryRecord,
      { userId },
      { orderBy: { nameKey: 'asc', id: 'asc' }, disableIdentityMap: true },
    );
    return rows.map(toCategory);
  }

  insert(category: Category): Promise<boolean> {
    return uniqueOrFalse(this.em, (em) => em.insert(CategoryRecord, toRow(category)));
  }

  update(category: Category): Promise<boolean> {
    const { id, ...changes } = toRow(category);
    return uniqueOrFalse(this.em, (em) => em.nativeUpdate(CategoryRecord, { id }, changes));
  }

  async delete(categoryId: string, now: Date): Promise<void> {
    // Tasks that showed the category change too: bump them, then the FK cascade detaches it.
    // One statement, so no task can take the category between the bump and the delete.
    await tasksDb(this.em)
      .with('touched', (db) =>
        db
          .updateTable('tasks')
          .set((eb) => ({ version: eb('version', '+', 1), updated_at: now }))
          .where('id', 'in', (eb) =>
            eb
              .selectFrom('task_categories')
              .select('task_id')
              .where('category_id', '=', categoryId),
          ),
      )
      .deleteFrom('categories')
      .where('id', '=', categoryId)
      .execute();
  }
}

/**
 * Runs a write in a savepoint, so a duplicate name (unique violation) answers `false` without
 * aborting a surrounding transaction.
 */
async function uniqueOrFalse(
  em: EntityManager,
  write: (em: EntityManager) => Promise<unknown>,
): Promise<boolean> {
  try {
    await em.transactional((inner) => write(inner));
    return true;
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) return false;
    throw err;
  }
}

function toCategory(row: CategoryRow): Category {
  return Category.restore({
    id: row.id,
    userId: row.userId,
    name: row.name,
    color: row.color ?? null,
    createdAt: row.createdAt,
  });
}

function toRow(category: Category) {
  const props = category.toProps();
  return { ...props, nameKey: categoryNameKey(props.name) };
}
