import type { AuthenticatedPrincipal } from '../../../src/modules/identity/application/authenticate.ts';
import { User, type UserProps } from '../../../src/modules/identity/domain/user.ts';
import { FakePasswordHasher } from './fake-password-hasher.ts';

export const DEFAULT_PASSWORD = 'correct horse battery staple';

let built = 0;

/** A verified, active user whose password is `DEFAULT_PASSWORD` unless `password` says otherwise. */
export function aUser(overrides: Partial<UserProps> & { password?: string } = {}): User {
  built += 1;
  const { password = DEFAULT_PASSWORD, ...props } = overrides;
  const at = new Date('2029-12-01T00:00:00.000Z');
  return User.restore({
    id: `user-${built}`,
    email: `user${built}@example.com`,
    fullName: `User ${built}`,
    passwordHash: FakePasswordHasher.hashOf(password),
    role: 'user',
    emailVerified: true,
    isActive: true,
    failedLoginCount: 0,
    lockedUntil: undefined,
    createdAt: at,
    updatedAt: at,
    ...props,
  });
}

export function principalOf(
  user: User,
  sessionId = `session-of-${user.id}`,
): AuthenticatedPrincipal {
  return { userId: user.id, sessionId, role: user.role };
}
