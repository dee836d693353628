import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { IdentityErrorOf } from '../domain/identity.errors.ts';
import type { Role } from '../domain/role.ts';
import type { User } from '../domain/user.ts';
import type { AuthenticatedPrincipal } from './authenticate.ts';
import type { IdentityPorts } from './ports.ts';
import { requireAdmin } from './support/require-admin.ts';
import { forgetRevokedSessions } from './support/revocations.ts';

export interface AdminUpdateUserInput {
  principal: AuthenticatedPrincipal;
  userId: string;
  role?: Role | undefined;
  isActive?: boolean | undefined;
}

export type AdminUpdateUserError = IdentityErrorOf<
  'Forbidden' | 'UserNotFound' | 'CannotModifySelf'
>;

type Ports = Pick<
  IdentityPorts,
  'users' | 'sessions' | 'personalTokens' | 'sessionStatus' | 'clock' | 'transactions'
>;

/**
 * Changes another user's role or active flag. An admin may not demote or deactivate themself, so
 * the last admin cannot lock everyone out by accident. Deactivation ends all of the user's sessions
 * and revokes their access tokens.
 */
export class AdminUpdateUser {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: AdminUpdateUserInput): ResultAsync<User, AdminUpdateUserError> {
    return new ResultAsync(this.update(input));
  }

  private async update(input: AdminUpdateUserInput): Promise<Result<User, AdminUpdateUserError>> {
    const { ports } = this;
    const admin = await requireAdmin(ports.users, input.principal);
    if (admin.isErr()) return err(admin.error);
    const user = await ports.users.findById(input.userId);
    if (!user) return err({ type: 'UserNotFound' });
    const role = input.role ?? user.role;
    const isActive = input.isActive ?? user.isActive;
    const deactivates = user.isActive && !isActive;
    if (user.id === admin.value.id && (role !== user.role || deactivates)) {
      return err({ type: 'CannotModifySelf' });
    }
    if (role === user.role && isActive === user.isActive) return ok(user);

    const now = ports.clock.now();
    const revoked = await ports.transactions.run(async () => {
      if (role !== user.role) user.setRole(role, now);
      if (isActive !== user.isActive) user.setActive(isActive, now);
      await ports.users.update(user);
      if (!deactivates) return [];
      // Revoked, not only refused while inactive: reactivating the account does not revive them.
      await ports.personalTokens.revokeAllForUser(user.id, now);
      return ports.sessions.revokeAllForUser(user.id, now);
    });
    await forgetRevokedSessions(ports, revoked);
    return ok(user);
  }
}
