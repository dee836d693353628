import { err, ok, type Result } from 'neverthrow';
import { categoryNameKey, type Category } from '../../domain/category.ts';
import type { TaskErrorOf } from '../../domain/task.errors.ts';
import type { CategoryRepository, TasksPorts } from '../ports.ts';
import type { HeldAccess } from './task-writes.ts';

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

/** Where a task is assigned: in an Inbox anyone assignable; in a shared project its members. */
export interface AssignmentPlace {
  projectId: string;
  /** The project is an Inbox. */
  personal: boolean;
}

/**
 * Only an active user with a verified email can be assigned, and in a shared project only one of
 * its members; which rule failed is not told. In an Inbox any such user may be assigned, as before
 * projects, so clients that assign in their Inbox keep working. Resolves the assignee's membership
 * the decision rests on, for the write to hold (`stillHeld`); none in an Inbox.
 */
export async function checkAssignee(
  ports: Pick<TasksPorts, 'users' | 'projects'>,
  assigneeId: string,
  place: AssignmentPlace,
  lock = false,
): Promise<Result<HeldAccess | undefined, TaskErrorOf<'AssigneeNotFound'>>> {
  const user = await ports.users.findAssignable(assigneeId);
  if (!user?.isActive || !user.emailVerified) return err({ type: 'AssigneeNotFound', assigneeId });
  if (place.personal) return ok(undefined);
  const access = await ports.projects.accessOf(place.projectId, assigneeId, lock);
  if (access?.role === undefined) return err({ type: 'AssigneeNotFound', assigneeId });
  return ok({ projectId: place.projectId, access });
}
