import type { GrantableRole } from './project-role.ts';

export const PROJECT_EVENT_TYPES = [
  'project.invited',
  'project.member_added',
  'project.member_removed',
] as const;
export type ProjectEventType = (typeof PROJECT_EVENT_TYPES)[number];

interface ProjectEventOf<Type extends ProjectEventType, Payload> {
  type: Type;
  /** Project events concern no task. */
  taskId: null;
  projectId: string;
  /** Who made the change. */
  actorId: string;
  occurredAt: Date;
  /** The person concerned, unless they made the change themself (README, Notifications). */
  recipients: string[];
  /** JSON-ready. */
  payload: Payload;
}

/** To the invitee, when an account has the invited email. */
export type ProjectInvited = ProjectEventOf<
  'project.invited',
  { projectName: string; role: GrantableRole; invitationId: string }
>;

/** `userId` joined the project with `role`. */
export type MemberAdded = ProjectEventOf<
  'project.member_added',
  { projectName: string; userId: string; role: GrantableRole }
>;

/** `userId` left the project or was removed from it. */
export type MemberRemoved = ProjectEventOf<
  'project.member_removed',
  { projectName: string; userId: string }
>;

/** An outbox row about a project, written in the same transaction as the change it reports. */
export type ProjectEvent = ProjectInvited | MemberAdded | MemberRemoved;

interface EventBase {
  project: { id: string; name: string };
  actorId: string;
  occurredAt: Date;
}

/** The people told: those given, once each, never the actor. */
const told = (people: ReadonlyArray<string | null>, actorId: string): string[] => [
  ...new Set(people.filter((id): id is string => id !== null && id !== actorId)),
];

/** `inviteeId`: the account that has the invited email, if any (no one to tell otherwise). */
export function projectInvited(
  base: EventBase,
  invitation: { id: string; role: GrantableRole; inviteeId: string | null },
): ProjectInvited {
  return {
    type: 'project.invited',
    taskId: null,
    projectId: base.project.id,
    actorId: base.actorId,
    occurredAt: base.occurredAt,
    recipients: told([invitation.inviteeId], base.actorId),
    payload: { projectName: base.project.name, role: invitation.role, invitationId: invitation.id },
  };
}

/**
 * `member` joined with `role`; `tell` are the people concerned (the new member when someone else
 * added them; the inviter when they accepted an invitation).
 */
export function memberAdded(
  base: EventBase,
  member: { userId: string; role: GrantableRole },
  tell: ReadonlyArray<string | null>,
): MemberAdded {
  return {
    type: 'project.member_added',
    taskId: null,
    projectId: base.project.id,
    actorId: base.actorId,
    occurredAt: base.occurredAt,
    recipients: told(tell, base.actorId),
    payload: { projectName: base.project.name, userId: member.userId, role: member.role },
  };
}

/** `userId` left or was removed: they are told, unless they left by themself. */
export function memberRemoved(base: EventBase, userId: string): MemberRemoved {
  return {
    type: 'project.member_removed',
    taskId: null,
    projectId: base.project.id,
    actorId: base.actorId,
    occurredAt: base.occurredAt,
    recipients: told([userId], base.actorId),
    payload: { projectName: base.project.name, userId },
  };
}
