import { err, ok, type Result } from 'neverthrow';
import type { IdentityErrorOf } from '../../domain/identity.errors.ts';
import type { User } from '../../domain/user.ts';
import type { AuthenticatedPrincipal } from '../authenticate.ts';
import type { UserRepository } from '../ports.ts';

/**
 * The acting admin, read from the store rather than trusted from the access token: a demotion or
 * deactivation takes effect at once instead of when the token expires.
 */
export async function requireAdmin(
  users: UserRepository,
  principal: AuthenticatedPrincipal,
): Promise<Result<User, IdentityErrorOf<'Forbidden'>>> {
  const actor = await users.findById(principal.userId);
  if (actor?.role === 'admin' && actor.isActive) return ok(actor);
  return err({ type: 'Forbidden', reason: 'admin role required' });
}
