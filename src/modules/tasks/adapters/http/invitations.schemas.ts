import { z } from '@hono/zod-openapi';
import { EMAIL_PATTERN } from '../../../identity/index.ts';
import type { InvitationView } from '../../application/ports.ts';
import {
  INVITATION_EMAIL_MAX,
  INVITATION_STATUSES,
  INVITATION_VALIDITY_DAYS,
} from '../../domain/invitation.ts';
import { GRANTABLE_ROLES } from '../../domain/project-role.ts';

const ID = '0193a1f2-8b7c-7d4e-9f00-1a2b3c4d5e6f';
const TIME = '2026-11-22T10:00:00.000Z';
const id = () => z.uuid().openapi({ example: ID });
const time = () => z.iso.datetime().openapi({ example: TIME });
const pathId = (name: string) => z.uuid().openapi({ param: { name, in: 'path' }, example: ID });

export const InvitationSchema = z
  .object({
    id: id(),
    project_id: id(),
    project_name: z.string().openapi({ example: 'Website relaunch' }),
    email: z.string().openapi({
      example: 'ada@example.com',
      description: 'The invited address, trimmed and lower-cased.',
    }),
    role: z
      .enum(GRANTABLE_ROLES)
      .openapi({ description: 'The role the invitee gets on accepting.' }),
    invited_by: id().openapi({ description: 'The admin (or owner) who sent it.' }),
    status: z.enum(INVITATION_STATUSES).openapi({
      description:
        'A pending invitation past `expires_at` shows as `expired`, whether or not anything has rewritten it yet.',
    }),
    expires_at: time().openapi({
      description: `${INVITATION_VALIDITY_DAYS} days after \`created_at\`.`,
    }),
    created_at: time(),
  })
  .openapi('Invitation');

export const InvitationListSchema = z
  .object({ items: z.array(InvitationSchema) })
  .openapi('InvitationList');

export const CreateInvitationBody = z
  .object({
    email: z
      .string()
      .trim()
      .max(INVITATION_EMAIL_MAX)
      .regex(EMAIL_PATTERN, 'must be a valid email address')
      .openapi({
        format: 'email',
        example: 'ada@example.com',
        description:
          'Anyone’s address: an account’s, or one that has none yet (its owner sees the invitation after registering with it and verifying it). Compared trimmed and case-insensitively.',
      }),
    role: z.enum(GRANTABLE_ROLES).openapi({
      description: 'Ownership is never given by invitation; it moves by transfer only.',
    }),
  })
  .openapi('CreateInvitationRequest');

export const INVITATION_FILTERS = [...INVITATION_STATUSES, 'all'] as const;

export const ProjectInvitationsQuery = z.object({
  status: z.enum(INVITATION_FILTERS).default('pending').openapi({
    description:
      'Which invitations: those with this status (as shown: a pending one past its expiry is `expired`), or `all`. Default `pending`.',
  }),
});

export const ProjectIdParam = z.object({ project_id: pathId('project_id') });
export const ProjectInvitationParams = z.object({
  project_id: pathId('project_id'),
  invitation_id: pathId('invitation_id'),
});
export const InvitationIdParam = z.object({ invitation_id: pathId('invitation_id') });

export function toInvitationJson(
  { invitation, projectName }: InvitationView,
  now: Date,
): z.infer<typeof InvitationSchema> {
  return {
    id: invitation.id,
    project_id: invitation.projectId,
    project_name: projectName,
    email: invitation.email,
    role: invitation.role,
    invited_by: invitation.invitedBy,
    status: invitation.statusAt(now),
    expires_at: invitation.expiresAt.toISOString(),
    created_at: invitation.createdAt.toISOString(),
  };
}
