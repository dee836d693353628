import { err, ok, type Result } from 'neverthrow';
import { roleAtLeast, type GrantableRole, type ProjectRole } from './project-role.ts';
import { forbidden, validationFailed, type TaskAction, type TaskErrorOf } from './task.errors.ts';

type NotFound = TaskErrorOf<'ProjectNotFound'>;
type Forbidden = TaskErrorOf<'Forbidden'>;

/**
 * The caller's role when it reaches `minimum`: a non-member learns nothing (404), a member whose
 * role is too low is told so (403).
 */
export function requireRole(
  projectId: string,
  role: ProjectRole | undefined,
  minimum: ProjectRole,
  action: TaskAction,
): Result<ProjectRole, NotFound | Forbidden> {
  if (role === undefined) return err({ type: 'ProjectNotFound', projectId });
  return roleAtLeast(role, minimum) ? ok(role) : err(forbidden(action));
}

/**
 * Who may give whom which role: an admin or the owner, to anyone but the owner (whose role moves
 * only by transfer), and never a role above their own. An admin may therefore demote another
 * admin, or step down themself.
 */
export function checkRoleChange(
  actorRole: ProjectRole,
  targetRole: ProjectRole,
  newRole: GrantableRole,
): Result<void, Forbidden> {
  if (!roleAtLeast(actorRole, 'admin')) return err(forbidden('manage_members'));
  if (targetRole === 'owner') return err(forbidden('change_owner_role'));
  if (!roleAtLeast(actorRole, newRole)) return err(forbidden('grant_above_own_role'));
  return ok(undefined);
}

/**
 * Who may remove whom: anyone may leave, except the owner, who must transfer first; an admin or
 * the owner removes anyone below the owner.
 */
export function checkRemoval(
  projectId: string,
  actor: { userId: string; role: ProjectRole },
  target: { userId: string; role: ProjectRole },
): Result<void, Forbidden | TaskErrorOf<'OwnerCannotLeave'>> {
  if (actor.userId === target.userId) {
    return target.role === 'owner' ? err({ type: 'OwnerCannotLeave', projectId }) : ok(undefined);
  }
  if (!roleAtLeast(actor.role, 'admin')) return err(forbidden('manage_members'));
  if (target.role === 'owner') return err(forbidden('remove_owner'));
  return ok(undefined);
}

/** The owner hands the project to another member; they become the owner, the caller an admin. */
export function checkTransfer(
  actor: { userId: string; role: ProjectRole },
  targetUserId: string,
): Result<void, Forbidden | TaskErrorOf<'ValidationFailed'>> {
  if (actor.role !== 'owner') return err(forbidden('transfer_project'));
  if (actor.userId === targetUserId) {
    return err(validationFailed([{ field: 'user_id', message: 'must be another member' }]));
  }
  return ok(undefined);
}

/** The role the former owner keeps after a transfer. */
export const ROLE_AFTER_TRANSFER: GrantableRole = 'admin';
