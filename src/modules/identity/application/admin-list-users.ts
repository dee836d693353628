import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { IdentityErrorOf } from '../domain/identity.errors.ts';
import type { User } from '../domain/user.ts';
import type { AuthenticatedPrincipal } from './authenticate.ts';
import type { IdentityPorts } from './ports.ts';
import { requireAdmin } from './support/require-admin.ts';

export interface AdminListUsersInput {
  principal: AuthenticatedPrincipal;
  page: number;
  limit: number;
  /** Matched against email and full name. */
  q?: string | undefined;
}

export interface AdminListUsersOutput {
  items: User[];
  total: number;
  page: number;
  limit: number;
}

export type AdminListUsersError = IdentityErrorOf<'Forbidden'>;

type Ports = Pick<IdentityPorts, 'users'>;

export class AdminListUsers {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: AdminListUsersInput): ResultAsync<AdminListUsersOutput, AdminListUsersError> {
    return new ResultAsync(this.list(input));
  }

  private async list(
    input: AdminListUsersInput,
  ): Promise<Result<AdminListUsersOutput, AdminListUsersError>> {
    const admin = await requireAdmin(this.ports.users, input.principal);
    if (admin.isErr()) return err(admin.error);
    const q = input.q?.trim() || undefined;
    const { items, total } = await this.ports.users.list({
      page: input.page,
      limit: input.limit,
      ...(q ? { q } : {}),
    });
    return ok({ items, total, page: input.page, limit: input.limit });
  }
}
