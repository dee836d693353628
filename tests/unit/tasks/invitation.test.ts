import { describe, expect, it } from 'vitest';
import {
  Invitation,
  INVITATION_EMAIL_MAX,
  INVITATION_VALIDITY_DAYS,
} from '../../../src/modules/tasks/domain/invitation.ts';
import { inFuture, NOW, OWNER } from '../../support/tasks/builders.ts';

const DAY = 24 * 60 * 60 * 1000;
const invite = (email = 'Ada@Example.COM ') =>
  Invitation.create({ id: 'i1', projectId: 'p1', email, role: 'editor', invitedBy: OWNER }, NOW);

describe('Invitation', () => {
  it('is pending for seven days, for the address trimmed and lower-cased', () => {
    expect(INVITATION_VALIDITY_DAYS).toBe(7);
    expect(invite()._unsafeUnwrap().toProps()).toEqual({
      id: 'i1',
      projectId: 'p1',
      email: 'ada@example.com',
      role: 'editor',
      invitedBy: OWNER,
      status: 'pending',
      expiresAt: new Date(NOW.getTime() + 7 * DAY),
      createdAt: NOW,
      respondedAt: null,
    });
  });

  it('refuses what cannot be an address', () => {
    for (const email of ['', '   ', 'no-at-sign', `${'a'.repeat(INVITATION_EMAIL_MAX)}@x.io`]) {
      expect(invite(email)._unsafeUnwrapErr()).toMatchObject({
        type: 'ValidationFailed',
        errors: [{ field: 'email' }],
      });
    }
  });

  it('shows as expired from its expiry on, while the stored status still says pending', () => {
    const invitation = invite()._unsafeUnwrap();
    const expiry = invitation.expiresAt;
    expect(invitation.statusAt(new Date(expiry.getTime() - 1))).toBe('pending');
    expect(invitation.needsExpiring(new Date(expiry.getTime() - 1))).toBe(false);
    expect(invitation.statusAt(expiry)).toBe('expired');
    expect(invitation.needsExpiring(expiry)).toBe(true);
    expect(invitation.storedStatus).toBe('pending');
  });

  it('records its expiry only once it has expired', () => {
    const invitation = invite()._unsafeUnwrap();
    invitation.expire(NOW);
    expect(invitation.storedStatus).toBe('pending');
    invitation.expire(invitation.expiresAt);
    expect(invitation.storedStatus).toBe('expired');
  });

  it('is accepted, declined or revoked once, recording when', () => {
    const at = inFuture(DAY);
    for (const [answer, status] of [
      ['accept', 'accepted'],
      ['decline', 'declined'],
      ['revoke', 'revoked'],
    ] as const) {
      const invitation = invite()._unsafeUnwrap();
      expect(invitation[answer](at).isOk()).toBe(true);
      expect(invitation.toProps()).toMatchObject({ status, respondedAt: at });
      for (const again of ['accept', 'decline', 'revoke'] as const) {
        expect(invitation[again](at)._unsafeUnwrapErr()).toEqual({
          type: 'InvitationClosed',
          invitationId: 'i1',
          status,
        });
      }
    }
  });

  it('cannot be answered once expired, and says so', () => {
    const invitation = invite()._unsafeUnwrap();
    for (const answer of ['accept', 'decline', 'revoke'] as const) {
      expect(invitation[answer](invitation.expiresAt)._unsafeUnwrapErr()).toEqual({
        type: 'InvitationClosed',
        invitationId: 'i1',
        status: 'expired',
      });
    }
    expect(invitation.storedStatus).toBe('pending');
  });

  it('is addressed to its address however the caller writes it', () => {
    const invitation = invite()._unsafeUnwrap();
    expect(invitation.isAddressedTo(' ADA@example.com')).toBe(true);
    expect(invitation.isAddressedTo('ada@example.org')).toBe(false);
  });
});
