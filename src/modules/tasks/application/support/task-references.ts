import { err, ok, type Result } from 'neverthrow';
import { categoryNameKey, type Category } from '../../domain/category.ts';
import type { TaskErrorOf } from '../../domain/task.errors.ts';
import type { CategoryRepository, UserDirectory } from '../ports.ts';

/**
 * The owner's categories with these ids, ordered by name; the first id that is unknown or someone
 * else's is not found, so another user's categories can never be attached or probed.
 */
export async function ownedCategories(
  categories: CategoryRepository,
  ownerId: string,
  categoryIds: readonly string[],
): Promise<Result<Category[], TaskErrorOf<'CategoryNotFound'>>> {
  if (categoryIds.length === 0) return ok([]);
  const found = await categories.findOwnedMany(ownerId, categoryIds);
  const missing = categoryIds.find((id) => !found.some((category) => category.id === id));
  if (missing !== undefined) return err({ type: 'CategoryNotFound', categoryId: missing });
  return ok(found.sort((a, b) => categoryNameKey(a.name).localeCompare(categoryNameKey(b.name))));
}

/** Only an active user with a verified email can be assigned; which rule failed is not told. */
export async function checkAssignee(
  users: UserDirectory,
  assigneeId: string,
): Promise<Result<void, TaskErrorOf<'AssigneeNotFound'>>> {
  const user = await users.findAssignable(assigneeId);
  if (user?.isActive && user.emailVerified) return ok(undefined);
  return err({ type: 'AssigneeNotFound', assigneeId });
}
