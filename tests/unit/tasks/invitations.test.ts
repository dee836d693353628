import { beforeEach, describe, expect, it } from 'vitest';
import { AcceptInvitation } from '../../../src/modules/tasks/application/accept-invitation.ts';
import {
  CreateInvitation,
  INVITATION_LIMIT,
  INVITATION_WINDOW_SECONDS,
} from '../../../src/modules/tasks/application/create-invitation.ts';
import { DeclineInvitation } from '../../../src/modules/tasks/application/decline-invitation.ts';
import { ListMyInvitations } from '../../../src/modules/tasks/application/list-my-invitations.ts';
import { ListProjectInvitations } from '../../../src/modules/tasks/application/list-project-invitations.ts';
import { RevokeInvitation } from '../../../src/modules/tasks/application/revoke-invitation.ts';
import type { GrantableRole } from '../../../src/modules/tasks/domain/project-role.ts';
import { Project } from '../../../src/modules/tasks/domain/project.ts';
import { as, ASSIGNEE, inboxOf, NOW, OWNER, STRANGER } from '../../support/tasks/builders.ts';
import { tasksTestbed, type TasksTestbed } from '../../support/tasks/tasks-testbed.ts';

const PROJECT = '00000000-0000-7000-8000-0000000000f1';
const EDITOR = 'user-editor';
const DAY = 24 * 60 * 60 * 1000;

describe('invitations', () => {
  let bed: TasksTestbed;

  beforeEach(async () => {
    bed = tasksTestbed();
    const project = Project.create({ id: PROJECT, name: 'Roof' }, NOW)._unsafeUnwrap();
    await bed.projects.insert(project, OWNER);
    bed.accounts.add(EDITOR);
    bed.db.tables.members.get(PROJECT)!.set(EDITOR, 'editor');
  });

  const invite = (
    email: string,
    role: GrantableRole = 'editor',
    actor = OWNER,
    projectId = PROJECT,
  ) => new CreateInvitation(bed.ports).execute({ actor: as(actor), projectId, email, role });
  const accept = (actor: string, invitationId: string) =>
    new AcceptInvitation(bed.ports).execute({ actor: as(actor), invitationId });
  const decline = (actor: string, invitationId: string) =>
    new DeclineInvitation(bed.ports).execute({ actor: as(actor), invitationId });
  const revoke = (invitationId: string, actor = OWNER) =>
    new RevokeInvitation(bed.ports).execute({ actor: as(actor), projectId: PROJECT, invitationId });
  const mine = async (actor: string) =>
    (await new ListMyInvitations(bed.ports).execute({ actor: as(actor) }))._unsafeUnwrap();
  const emailOf = (userId: string) => `${userId}@example.test`;

  describe('CreateInvitation', () => {
    it('stores a pending invitation for a week and mails the address', async () => {
      const view = (await invite(' User-Stranger@Example.TEST', 'admin'))._unsafeUnwrap();
      expect(view.projectName).toBe('Roof');
      expect(bed.invitations.stored(view.invitation.id)).toEqual({
        id: view.invitation.id,
        projectId: PROJECT,
        email: emailOf(STRANGER),
        role: 'admin',
        invitedBy: OWNER,
        status: 'pending',
        expiresAt: new Date(NOW.getTime() + 7 * DAY),
        createdAt: NOW,
        respondedAt: null,
      });
      expect(bed.projectMails.invitations).toEqual([
        {
          to: emailOf(STRANGER),
          projectName: 'Roof',
          inviterName: (await bed.accounts.findById(OWNER))!.fullName,
          role: 'admin',
          expiresAt: new Date(NOW.getTime() + 7 * DAY),
        },
      ]);
      expect(bed.outbox.events).toEqual([
        {
          type: 'project.invited',
          taskId: null,
          projectId: PROJECT,
          actorId: OWNER,
          occurredAt: NOW,
          recipients: [STRANGER],
          payload: { projectName: 'Roof', role: 'admin', invitationId: view.invitation.id },
        },
      ]);
    });

    it('tells no one of an invitation to an address without an account, or not verified by it', async () => {
      bed.accounts.add('user-unverified', {
        email: 'unverified@example.test',
        emailVerified: false,
      });
      (await invite('nobody@example.test'))._unsafeUnwrap();
      (await invite('unverified@example.test'))._unsafeUnwrap();
      expect(bed.outbox.events).toMatchObject([
        { type: 'project.invited', recipients: [] },
        { type: 'project.invited', recipients: [] },
      ]);
    });

    it('lets no one below admin invite, and hides the project from non-members', async () => {
      expect((await invite('x@example.test', 'viewer', EDITOR))._unsafeUnwrapErr()).toEqual({
        type: 'Forbidden',
        action: 'manage_invitations',
      });
      expect((await invite('x@example.test', 'viewer', STRANGER))._unsafeUnwrapErr()).toEqual({
        type: 'ProjectNotFound',
        projectId: PROJECT,
      });
      expect(bed.db.tables.invitations.size).toBe(0);
      expect(bed.projectMails.invitations).toEqual([]);
    });

    it('never shares an Inbox, and takes no invitation into an archived project', async () => {
      expect(
        (await invite('x@example.test', 'viewer', OWNER, inboxOf(OWNER)))._unsafeUnwrapErr(),
      ).toMatchObject({ type: 'PersonalProject' });
      bed.db.tables.projects.get(PROJECT)!.archivedAt = NOW;
      expect((await invite('x@example.test'))._unsafeUnwrapErr()).toMatchObject({
        type: 'ProjectArchived',
      });
      expect(bed.db.tables.invitations.size).toBe(0);
    });

    it('refuses an address whose account is a member, and a second pending invitation', async () => {
      expect((await invite(emailOf(EDITOR)))._unsafeUnwrapErr()).toMatchObject({
        type: 'AlreadyMember',
      });
      expect((await invite('new@example.test')).isOk()).toBe(true);
      expect((await invite('NEW@example.test', 'admin'))._unsafeUnwrapErr()).toMatchObject({
        type: 'AlreadyInvited',
      });
      expect(bed.db.tables.invitations.size).toBe(1);
      expect(bed.projectMails.invitations).toHaveLength(1);
    });

    it('lets an expired invitation make way for a new one, recording it as expired', async () => {
      const first = (await invite('new@example.test'))._unsafeUnwrap().invitation;
      bed.clock.advance(7 * DAY);
      const second = (await invite('new@example.test'))._unsafeUnwrap().invitation;
      expect(bed.invitations.stored(first.id)?.status).toBe('expired');
      expect(bed.invitations.stored(second.id)?.status).toBe('pending');
    });

    it(`allows ${INVITATION_LIMIT} invitations per inviter per window, refused ones included`, async () => {
      for (let i = 0; i < INVITATION_LIMIT - 1; i++) {
        expect((await invite(`a${i}@example.test`)).isOk()).toBe(true);
      }
      expect((await invite(emailOf(EDITOR)))._unsafeUnwrapErr().type).toBe('AlreadyMember');
      expect((await invite('over@example.test'))._unsafeUnwrapErr()).toMatchObject({
        type: 'RateLimited',
      });
      bed.clock.advance(INVITATION_WINDOW_SECONDS * 1000);
      expect((await invite('over@example.test')).isOk()).toBe(true);
    });
  });

  describe('answering', () => {
    it('an invitation sent before the invitee registered is theirs once they verify', async () => {
      const { invitation } = (await invite('later@example.test', 'viewer'))._unsafeUnwrap();
      bed.accounts.add('user-later', { email: 'later@example.test', emailVerified: false });
      expect(await mine('user-later')).toEqual([]);
      expect((await accept('user-later', invitation.id))._unsafeUnwrapErr()).toEqual({
        type: 'InvitationNotFound',
        invitationId: invitation.id,
      });

      bed.accounts.add('user-later', { email: 'later@example.test' });
      expect((await mine('user-later')).map((v) => v.invitation.id)).toEqual([invitation.id]);
      const joined = (await accept('user-later', invitation.id))._unsafeUnwrap();
      expect(joined).toMatchObject({ role: 'viewer', memberCount: 3, taskCount: 0 });
      expect(joined.project.id).toBe(PROJECT);
      expect(await bed.projects.roleOf(PROJECT, 'user-later')).toBe('viewer');
      expect(bed.outbox.events.at(-1)).toEqual({
        type: 'project.member_added',
        taskId: null,
        projectId: PROJECT,
        actorId: 'user-later',
        occurredAt: NOW,
        recipients: [OWNER],
        payload: { projectName: 'Roof', userId: 'user-later', role: 'viewer' },
      });
      expect(bed.invitations.stored(invitation.id)).toMatchObject({
        status: 'accepted',
        respondedAt: NOW,
      });
      expect(await mine('user-later')).toEqual([]);
    });

    it('hides an invitation to another address', async () => {
      const { invitation } = (await invite(emailOf(STRANGER)))._unsafeUnwrap();
      for (const answer of [accept, decline]) {
        expect((await answer(ASSIGNEE, invitation.id))._unsafeUnwrapErr()).toMatchObject({
          type: 'InvitationNotFound',
        });
      }
      expect(bed.invitations.stored(invitation.id)?.status).toBe('pending');
    });

    it('closes an invitation once: a second answer is refused', async () => {
      const { invitation } = (await invite(emailOf(STRANGER)))._unsafeUnwrap();
      expect((await accept(STRANGER, invitation.id)).isOk()).toBe(true);
      expect((await accept(STRANGER, invitation.id))._unsafeUnwrapErr()).toEqual({
        type: 'InvitationClosed',
        invitationId: invitation.id,
        status: 'accepted',
      });
      expect((await decline(STRANGER, invitation.id))._unsafeUnwrapErr()).toMatchObject({
        status: 'accepted',
      });
    });

    it('refuses an expired invitation and records that it expired', async () => {
      const { invitation } = (await invite(emailOf(STRANGER)))._unsafeUnwrap();
      bed.clock.advance(7 * DAY);
      expect((await accept(STRANGER, invitation.id))._unsafeUnwrapErr()).toMatchObject({
        type: 'InvitationClosed',
        status: 'expired',
      });
      expect(bed.invitations.stored(invitation.id)?.status).toBe('expired');
      expect(await bed.projects.roleOf(PROJECT, STRANGER)).toBeUndefined();
      expect(bed.outbox.events.map((event) => event.type)).toEqual(['project.invited']);
    });

    it('declines without joining', async () => {
      const { invitation } = (await invite(emailOf(STRANGER)))._unsafeUnwrap();
      expect((await decline(STRANGER, invitation.id)).isOk()).toBe(true);
      expect(bed.invitations.stored(invitation.id)).toMatchObject({
        status: 'declined',
        respondedAt: NOW,
      });
      expect(await bed.projects.roleOf(PROJECT, STRANGER)).toBeUndefined();
    });

    it('refuses to add a member twice, leaving the invitation pending', async () => {
      const { invitation } = (await invite(emailOf(STRANGER)))._unsafeUnwrap();
      bed.db.tables.members.get(PROJECT)!.set(STRANGER, 'viewer');
      expect((await accept(STRANGER, invitation.id))._unsafeUnwrapErr()).toEqual({
        type: 'AlreadyMember',
        projectId: PROJECT,
      });
      expect(await bed.projects.roleOf(PROJECT, STRANGER)).toBe('viewer');
      expect(bed.invitations.stored(invitation.id)?.status).toBe('pending');
      expect(bed.outbox.events.map((event) => event.type)).toEqual(['project.invited']);
    });

    it('lets no one join an archived project', async () => {
      const { invitation } = (await invite(emailOf(STRANGER)))._unsafeUnwrap();
      bed.db.tables.projects.get(PROJECT)!.archivedAt = NOW;
      expect((await accept(STRANGER, invitation.id))._unsafeUnwrapErr()).toMatchObject({
        type: 'ProjectArchived',
      });
      expect(bed.invitations.stored(invitation.id)?.status).toBe('pending');
    });
  });

  describe('RevokeInvitation and ListProjectInvitations', () => {
    it('revokes a pending invitation, which can then not be accepted', async () => {
      const { invitation } = (await invite(emailOf(STRANGER)))._unsafeUnwrap();
      expect((await revoke(invitation.id, EDITOR))._unsafeUnwrapErr()).toMatchObject({
        type: 'Forbidden',
      });
      expect((await revoke(invitation.id)).isOk()).toBe(true);
      expect((await revoke(invitation.id))._unsafeUnwrapErr()).toMatchObject({
        type: 'InvitationClosed',
        status: 'revoked',
      });
      expect((await accept(STRANGER, invitation.id))._unsafeUnwrapErr()).toMatchObject({
        status: 'revoked',
      });
    });

    it('finds no invitation of another project', async () => {
      const { invitation } = (await invite(emailOf(STRANGER)))._unsafeUnwrap();
      const other = Project.create({ id: 'p-other', name: 'Other' }, NOW)._unsafeUnwrap();
      await bed.projects.insert(other, OWNER);
      expect(
        (
          await new RevokeInvitation(bed.ports).execute({
            actor: as(OWNER),
            projectId: other.id,
            invitationId: invitation.id,
          })
        )._unsafeUnwrapErr(),
      ).toMatchObject({ type: 'InvitationNotFound' });
    });

    it('lists by status as shown, newest first', async () => {
      const old = (await invite('old@example.test'))._unsafeUnwrap().invitation;
      bed.clock.advance(7 * DAY);
      const fresh = (await invite('fresh@example.test'))._unsafeUnwrap().invitation;
      const list = async (filter: 'pending' | 'expired' | 'all', actor = OWNER) =>
        new ListProjectInvitations(bed.ports).execute({
          actor: as(actor),
          projectId: PROJECT,
          filter,
        });
      const ids = async (filter: 'pending' | 'expired' | 'all') =>
        (await list(filter))._unsafeUnwrap().map((view) => view.invitation.id);
      expect(await ids('pending')).toEqual([fresh.id]);
      expect(await ids('expired')).toEqual([old.id]);
      expect(await ids('all')).toEqual([fresh.id, old.id]);
      expect(bed.invitations.stored(old.id)?.status).toBe('pending');
      expect((await list('all', EDITOR))._unsafeUnwrapErr()).toMatchObject({ type: 'Forbidden' });
      expect((await list('all', STRANGER))._unsafeUnwrapErr()).toMatchObject({
        type: 'ProjectNotFound',
      });
    });
  });
});
