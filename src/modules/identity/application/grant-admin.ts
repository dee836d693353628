import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { normaliseEmail } from '../domain/email.ts';
import type { IdentityErrorOf } from '../domain/identity.errors.ts';
import type { User } from '../domain/user.ts';
import type { IdentityPorts } from './ports.ts';

export interface GrantAdminInput {
  email: string;
}

export type GrantAdminError = IdentityErrorOf<'UserNotFound'>;

type Ports = Pick<IdentityPorts, 'users' | 'clock'>;

/** Makes an existing user an admin; the operator's way in (`npm run admin:grant -- <email>`). */
export class GrantAdmin {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: GrantAdminInput): ResultAsync<User, GrantAdminError> {
    return new ResultAsync(this.grant(input));
  }

  private async grant(input: GrantAdminInput): Promise<Result<User, GrantAdminError>> {
    const user = await this.ports.users.findByEmail(normaliseEmail(input.email));
    if (!user) return err({ type: 'UserNotFound' });
    if (user.role !== 'admin') {
      user.setRole('admin', this.ports.clock.now());
      await this.ports.users.update(user);
    }
    return ok(user);
  }
}
