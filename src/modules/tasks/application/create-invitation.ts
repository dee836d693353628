import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { Invitation } from '../domain/invitation.ts';
import { projectInvited } from '../domain/project-events.ts';
import type { GrantableRole } from '../domain/project-role.ts';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, InvitationView, TasksPorts } from './ports.ts';
import { managedProject, type ManageError } from './support/invitation-access.ts';

/**
 * Invitations one user may send per window, across all projects: plenty to bring a team in, too
 * few to use the service to mail strangers in bulk (projects cost nothing to create, so a limit
 * per project would not stop that). Refused attempts count too, so the limit also bounds how
 * fast anyone can probe which addresses belong to members.
 */
export const INVITATION_LIMIT = 30;
export const INVITATION_WINDOW_SECONDS = 3600;

export interface CreateInvitationInput {
  actor: Actor;
  projectId: string;
  email: string;
  role: GrantableRole;
}

export type CreateInvitationError =
  | ManageError
  | TaskErrorOf<'ValidationFailed' | 'AlreadyMember' | 'AlreadyInvited' | 'RateLimited'>;

type Ports = Pick<
  TasksPorts,
  | 'projects'
  | 'invitations'
  | 'accounts'
  | 'projectMails'
  | 'outbox'
  | 'rateLimiter'
  | 'transactions'
  | 'ids'
  | 'clock'
>;

/** Invites an address into a project (admin+); the invitee is mailed once it is stored. */
export class CreateInvitation {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: CreateInvitationInput): ResultAsync<InvitationView, CreateInvitationError> {
    return new ResultAsync(this.invite(input));
  }

  private async invite(
    input: CreateInvitationInput,
  ): Promise<Result<InvitationView, CreateInvitationError>> {
    const { ports } = this;
    const { actor, projectId } = input;
    const project = await managedProject(ports, actor, projectId, 'write');
    if (project.isErr()) return err(project.error);

    const decision = await ports.rateLimiter.consume(
      `tasks:invitations:${actor.userId}`,
      INVITATION_LIMIT,
      INVITATION_WINDOW_SECONDS,
    );
    if (!decision.allowed) {
      return err({ type: 'RateLimited', retryAfterSeconds: Math.max(1, decision.resetSeconds) });
    }

    const now = ports.clock.now();
    const created = Invitation.create(
      {
        id: ports.ids.next(),
        projectId,
        email: input.email,
        role: input.role,
        invitedBy: actor.userId,
      },
      now,
    );
    if (created.isErr()) return err(created.error);
    const invitation = created.value;
    const [inviter, invitee] = await Promise.all([
      ports.accounts.findById(actor.userId),
      ports.accounts.findByEmail(invitation.email),
    ]);
    if (!inviter) throw new Error('the inviting user has no account');
    // Only an account that has proven it owns the address learns of the invitation: anyone may
    // register an address they do not own, and must not learn which projects invite it.
    const notified = invitee?.emailVerified ? invitee : undefined;

    const stored = await ports.transactions.run(
      async (): Promise<Result<void, CreateInvitationError>> => {
        if (invitee && (await ports.projects.roleOf(projectId, invitee.id)) !== undefined) {
          return err({ type: 'AlreadyMember', projectId });
        }
        await ports.invitations.expireStale(projectId, invitation.email, now);
        if (!(await ports.invitations.insert(invitation))) {
          return err({ type: 'AlreadyInvited', projectId });
        }
        await ports.outbox.append([
          projectInvited(
            { project: project.value, actorId: actor.userId, occurredAt: now },
            { id: invitation.id, role: invitation.role, inviteeId: notified?.id ?? null },
          ),
        ]);
        return ok(undefined);
      },
    );
    if (stored.isErr()) return err(stored.error);

    await ports.projectMails.invitation({
      to: invitation.email,
      projectName: project.value.name,
      inviterName: inviter.fullName,
      role: invitation.role,
      expiresAt: invitation.expiresAt,
    });
    return ok({ invitation, projectName: project.value.name });
  }
}
