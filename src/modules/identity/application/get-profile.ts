import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { IdentityErrorOf } from '../domain/identity.errors.ts';
import type { User } from '../domain/user.ts';
import type { Caller } from './authenticate.ts';
import type { IdentityPorts } from './ports.ts';

export interface GetProfileInput {
  /** A session or an access token: reading one's own profile needs no scope. */
  principal: Pick<Caller, 'userId'>;
}

export type GetProfileError = IdentityErrorOf<'Unauthenticated'>;

type Ports = Pick<IdentityPorts, 'users' | 'storageUsage'>;

export interface Profile {
  user: User;
  storage: { usedBytes: number; quotaBytes: number };
}

export class GetProfile {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: GetProfileInput): ResultAsync<Profile, GetProfileError> {
    return new ResultAsync(this.get(input));
  }

  private async get({ principal }: GetProfileInput): Promise<Result<Profile, GetProfileError>> {
    // Side by side, one round trip: usage of an id with no user is an unused zero.
    const [user, storage] = await Promise.all([
      this.ports.users.findById(principal.userId),
      this.ports.storageUsage.of(principal.userId),
    ]);
    if (!user) return err({ type: 'Unauthenticated' });
    return ok({ user, storage });
  }
}
