import { err, ok, type Result } from 'neverthrow';
import type { GrantableRole } from './project-role.ts';
import { validationFailed, type TaskErrorOf } from './task.errors.ts';

export const INVITATION_STATUSES = [
  'pending',
  'accepted',
  'declined',
  'revoked',
  'expired',
] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

/** How long an invitation may be accepted after it was sent. */
export const INVITATION_VALIDITY_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;
/** RFC 5321's limit, the same the accounts' addresses have. */
export const INVITATION_EMAIL_MAX = 254;

export interface InvitationProps {
  id: string;
  projectId: string;
  /** Trimmed and lower-cased, as account addresses are stored, so it matches the invitee's. */
  email: string;
  role: GrantableRole;
  invitedBy: string;
  /** As stored: a pending invitation past `expiresAt` stays `pending` until something rewrites it. */
  status: InvitationStatus;
  expiresAt: Date;
  createdAt: Date;
  respondedAt: Date | null;
}

type Closed = TaskErrorOf<'InvitationClosed'>;

/** Addresses compare trimmed and case-insensitively, as the accounts' own addresses do. */
export function normaliseInvitedEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

/** An admin's offer to an email address to join a project with a role, open for a week. */
export class Invitation {
  private props: InvitationProps;

  private constructor(props: InvitationProps) {
    this.props = props;
  }

  static create(
    input: { id: string; projectId: string; email: string; role: GrantableRole; invitedBy: string },
    now: Date,
  ): Result<Invitation, TaskErrorOf<'ValidationFailed'>> {
    const email = normaliseInvitedEmail(input.email);
    if (email.length === 0 || email.length > INVITATION_EMAIL_MAX || !email.includes('@')) {
      return err(validationFailed([{ field: 'email', message: 'must be an email address' }]));
    }
    return ok(
      new Invitation({
        ...input,
        email,
        status: 'pending',
        expiresAt: new Date(now.getTime() + INVITATION_VALIDITY_DAYS * DAY_MS),
        createdAt: now,
        respondedAt: null,
      }),
    );
  }

  static restore(props: InvitationProps): Invitation {
    return new Invitation({ ...props });
  }

  get id() {
    return this.props.id;
  }
  get projectId() {
    return this.props.projectId;
  }
  get email() {
    return this.props.email;
  }
  get role() {
    return this.props.role;
  }
  get invitedBy() {
    return this.props.invitedBy;
  }
  get expiresAt() {
    return this.props.expiresAt;
  }
  get createdAt() {
    return this.props.createdAt;
  }
  get respondedAt() {
    return this.props.respondedAt;
  }
  /** The status as stored, which may lag behind `statusAt` for an expired invitation. */
  get storedStatus() {
    return this.props.status;
  }

  /** What the invitation is at `now`: a pending one past its expiry is `expired`. */
  statusAt(now: Date): InvitationStatus {
    if (this.props.status === 'pending' && now.getTime() >= this.props.expiresAt.getTime()) {
      return 'expired';
    }
    return this.props.status;
  }

  /** Whether the stored row still says `pending` although the invitation has expired. */
  needsExpiring(now: Date): boolean {
    return this.props.status === 'pending' && this.statusAt(now) === 'expired';
  }

  isAddressedTo(email: string): boolean {
    return this.props.email === normaliseInvitedEmail(email);
  }

  accept(now: Date): Result<void, Closed> {
    return this.close('accepted', now);
  }

  decline(now: Date): Result<void, Closed> {
    return this.close('declined', now);
  }

  revoke(now: Date): Result<void, Closed> {
    return this.close('revoked', now);
  }

  /** Records that it expired; a no-op unless it is pending past its expiry. */
  expire(now: Date): void {
    if (this.needsExpiring(now)) this.props = { ...this.props, status: 'expired' };
  }

  toProps(): InvitationProps {
    return { ...this.props };
  }

  private close(status: 'accepted' | 'declined' | 'revoked', now: Date): Result<void, Closed> {
    const current = this.statusAt(now);
    if (current !== 'pending') {
      return err({ type: 'InvitationClosed', invitationId: this.props.id, status: current });
    }
    this.props = { ...this.props, status, respondedAt: now };
    return ok(undefined);
  }
}
