import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { parseFullName } from '../domain/full-name.ts';
import type { IdentityErrorOf } from '../domain/identity.errors.ts';
import type { User } from '../domain/user.ts';
import type { AuthenticatedPrincipal } from './authenticate.ts';
import type { IdentityPorts } from './ports.ts';

export interface UpdateProfileInput {
  principal: AuthenticatedPrincipal;
  fullName: string;
}

export type UpdateProfileError = IdentityErrorOf<'ValidationFailed' | 'Unauthenticated'>;

type Ports = Pick<IdentityPorts, 'users' | 'clock'>;

export class UpdateProfile {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: UpdateProfileInput): ResultAsync<User, UpdateProfileError> {
    return new ResultAsync(this.update(input));
  }

  private async update(input: UpdateProfileInput): Promise<Result<User, UpdateProfileError>> {
    const fullName = parseFullName(input.fullName);
    if (fullName.isErr()) return err(fullName.error);
    const user = await this.ports.users.findById(input.principal.userId);
    if (!user) return err({ type: 'Unauthenticated' });
    user.rename(fullName.value, this.ports.clock.now());
    await this.ports.users.update(user);
    return ok(user);
  }
}
