import { err, ok, type Result } from 'neverthrow';
import { roleAtLeast } from '../../domain/project-role.ts';
import { forbidden, type TaskErrorOf } from '../../domain/task.errors.ts';
import type { Account, Actor, InvitableProject, InvitationView, TasksPorts } from '../ports.ts';

export type ManageError = TaskErrorOf<
  'ProjectNotFound' | 'Forbidden' | 'PersonalProject' | 'ProjectArchived'
>;

/**
 * The project whose invitations `actor` manages: 404 to a non-member, 403 below admin. A change
 * (`write`) is also refused in the Inbox, which is never shared, and in an archived project,
 * which is read-only for everyone.
 */
export async function managedProject(
  ports: Pick<TasksPorts, 'projects' | 'invitations'>,
  actor: Actor,
  projectId: string,
  access: 'read' | 'write',
): Promise<Result<InvitableProject, ManageError>> {
  const [role, project] = await Promise.all([
    ports.projects.roleOf(projectId, actor.userId),
    ports.invitations.findProject(projectId),
  ]);
  if (role === undefined || project === undefined)
    return err({ type: 'ProjectNotFound', projectId });
  if (access === 'write' && project.isInbox) return err({ type: 'PersonalProject', projectId });
  if (!roleAtLeast(role, 'admin')) return err(forbidden('manage_invitations'));
  if (access === 'write' && project.archived) return err({ type: 'ProjectArchived', projectId });
  return ok(project);
}

/**
 * The caller's account if invitations to its address are theirs to see: only once they have
 * proven they own it, or anyone could register someone else's address and claim its invitations.
 */
export async function inviteeAccount(
  accounts: TasksPorts['accounts'],
  actor: Actor,
): Promise<Account | undefined> {
  const account = await accounts.findById(actor.userId);
  return account?.emailVerified && account.isActive ? account : undefined;
}

export type AnswerError = TaskErrorOf<'InvitationNotFound' | 'InvitationClosed'>;

/**
 * Runs `answer` in one transaction on the caller's own invitation, locked so that two answers to
 * it (two accepts racing) are taken one after the other and the second finds it closed. An
 * invitation to another address, or seen by an unverified account, is not found. One found
 * expired is recorded as such (committed) before it is refused.
 */
export async function answerInvitation<T, E>(
  ports: Pick<TasksPorts, 'accounts' | 'invitations' | 'transactions' | 'clock'>,
  actor: Actor,
  invitationId: string,
  answer: (view: InvitationView, now: Date) => Promise<Result<T, E | AnswerError>>,
): Promise<Result<T, E | AnswerError>> {
  const account = await inviteeAccount(ports.accounts, actor);
  if (!account) return err({ type: 'InvitationNotFound', invitationId });
  return ports.transactions.run(async (): Promise<Result<T, E | AnswerError>> => {
    const view = await ports.invitations.lock(invitationId);
    if (!view || !view.invitation.isAddressedTo(account.email)) {
      return err({ type: 'InvitationNotFound', invitationId });
    }
    const now = ports.clock.now();
    const { invitation } = view;
    if (invitation.needsExpiring(now)) {
      invitation.expire(now);
      await ports.invitations.update(invitation);
      return err({ type: 'InvitationClosed', invitationId, status: 'expired' });
    }
    const status = invitation.statusAt(now);
    if (status !== 'pending') return err({ type: 'InvitationClosed', invitationId, status });
    return answer(view, now);
  });
}
