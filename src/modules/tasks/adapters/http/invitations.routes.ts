import { createRoute } from '@hono/zod-openapi';
import type { AuthEnv } from '../../../../shared/http/bearer-auth.ts';
import { createRouter } from '../../../../shared/http/create-app.ts';
import {
  BEARER_SECURITY,
  errorResponses,
  jsonBody,
  jsonResponse,
  LOCATION_HEADER,
  type ProblemEntry,
} from '../../../../shared/http/openapi.ts';
import {
  INVITATION_LIMIT,
  INVITATION_WINDOW_SECONDS,
} from '../../application/create-invitation.ts';
import { INVITATION_VALIDITY_DAYS } from '../../domain/invitation.ts';
import { actorOf, orProblem, type TasksHttpOptions } from './tasks-http.ts';
import {
  CreateInvitationBody,
  InvitationIdParam,
  InvitationListSchema,
  InvitationSchema,
  ProjectIdParam,
  ProjectInvitationParams,
  ProjectInvitationsQuery,
  toInvitationJson,
} from './invitations.schemas.ts';
import { ProjectSchema, toProjectJson } from './projects.schemas.ts';

const NOT_A_MEMBER: ProblemEntry = [
  404,
  'No such project, or the caller is not a member of it (or, for an invitation, no such invitation in it).',
  ['not_found'],
];
const BELOW_ADMIN: ProblemEntry = [
  403,
  'The caller is a member below `admin` (`forbidden`).',
  ['forbidden'],
];
const REFUSED_CHANGE: ProblemEntry = [
  403,
  'The caller is a member below `admin` (`forbidden`), the project is the caller’s Inbox (`personal_project`), or it is archived (`project_archived`).',
  ['forbidden', 'personal_project', 'project_archived'],
];
const CLOSED: ProblemEntry = [
  409,
  'The invitation is no longer pending: accepted, declined, revoked or expired (`invitation_closed`).',
  ['invitation_closed'],
];
const NOT_MINE: ProblemEntry = [
  404,
  'No such invitation, or it is not addressed to the caller’s verified address.',
  ['not_found'],
];

const EXPIRY = `An invitation expires ${INVITATION_VALIDITY_DAYS} days after it was sent.`;
const UNVERIFIED =
  'Invitations belong to an address: an account sees those to its own address, including ones sent before it registered, and only once it has verified the address, so that nobody can claim invitations to an address they do not own.';

export function invitationsRoutes({ useCases, requireAuth, clock }: TasksHttpOptions) {
  const app = createRouter<AuthEnv>();
  const authed = { middleware: requireAuth, security: BEARER_SECURITY };
  const tags = ['Invitations'];

  app.openapi(
    createRoute({
      ...authed,
      method: 'post',
      path: '/projects/{project_id}/invitations',
      operationId: 'createInvitation',
      tags,
      summary: 'Invite an address into a project (admin+)',
      description:
        `Stores a pending invitation and mails the address a link to \`<APP_BASE_URL>/invitations\`. The link carries no token: the invitee signs in with that address (or registers with it and verifies it) and accepts there, so a forwarded mail grants nothing. ${EXPIRY} ` +
        'If the address belongs to an account that has verified it, that account is notified (`project.invited`). ' +
        'The Inbox cannot be shared and an archived project takes no invitations (403). ' +
        'An address whose account is already a member gets 409 `already_member`; one with a pending invitation to the project gets 409 `already_invited` (revoke it to invite again; one that has expired does not count). ' +
        `Each user may send at most ${INVITATION_LIMIT} invitations per ${INVITATION_WINDOW_SECONDS / 60} minutes across all projects, refused ones included (429 \`rate_limited\` with \`Retry-After\`), so that the service cannot be used to mail strangers in bulk.`,
      request: { params: ProjectIdParam, body: jsonBody(CreateInvitationBody) },
      responses: {
        201: jsonResponse('The invitation', InvitationSchema, LOCATION_HEADER),
        ...errorResponses(
          400,
          401,
          REFUSED_CHANGE,
          NOT_A_MEMBER,
          [
            409,
            'The address’s account is a member already (`already_member`), or a pending invitation to it exists (`already_invited`).',
            ['already_member', 'already_invited'],
          ],
          415,
          429,
        ),
      },
    }),
    async (c) => {
      const { project_id } = c.req.valid('param');
      const { email, role } = c.req.valid('json');
      const view = orProblem(
        await useCases.createInvitation.execute({
          actor: actorOf(c),
          projectId: project_id,
          email,
          role,
        }),
      );
      return c.json(toInvitationJson(view, clock.now()), 201, {
        Location: `/api/v1/projects/${project_id}/invitations/${view.invitation.id}`,
      });
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'get',
      path: '/projects/{project_id}/invitations',
      operationId: 'listProjectInvitations',
      tags,
      summary: 'A project’s invitations (admin+)',
      description: `Newest first; only the pending ones unless \`status\` asks for others. ${EXPIRY}`,
      request: { params: ProjectIdParam, query: ProjectInvitationsQuery },
      responses: {
        200: jsonResponse('The invitations', InvitationListSchema),
        ...errorResponses(400, 401, BELOW_ADMIN, NOT_A_MEMBER, 429),
      },
    }),
    async (c) => {
      const items = orProblem(
        await useCases.listProjectInvitations.execute({
          actor: actorOf(c),
          projectId: c.req.valid('param').project_id,
          filter: c.req.valid('query').status,
        }),
      );
      const now = clock.now();
      return c.json({ items: items.map((view) => toInvitationJson(view, now)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'delete',
      path: '/projects/{project_id}/invitations/{invitation_id}',
      operationId: 'revokeInvitation',
      tags,
      summary: 'Revoke a pending invitation (admin+)',
      description:
        'The invitation becomes `revoked` and can no longer be accepted. One that is no longer pending (accepted, declined, revoked or expired) is refused with 409 `invitation_closed`, so the admin learns what became of it.',
      request: { params: ProjectInvitationParams },
      responses: {
        204: { description: 'Revoked' },
        ...errorResponses(400, 401, REFUSED_CHANGE, NOT_A_MEMBER, CLOSED, 429),
      },
    }),
    async (c) => {
      const { project_id, invitation_id } = c.req.valid('param');
      orProblem(
        await useCases.revokeInvitation.execute({
          actor: actorOf(c),
          projectId: project_id,
          invitationId: invitation_id,
        }),
      );
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'get',
      path: '/invitations',
      operationId: 'listMyInvitations',
      tags,
      summary: 'The pending invitations to my address',
      description: `Newest first; expired ones are left out. ${UNVERIFIED} An unverified account gets an empty list.`,
      responses: {
        200: jsonResponse('The invitations', InvitationListSchema),
        ...errorResponses(401, 429),
      },
    }),
    async (c) => {
      const items = orProblem(await useCases.listMyInvitations.execute({ actor: actorOf(c) }));
      const now = clock.now();
      return c.json({ items: items.map((view) => toInvitationJson(view, now)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'post',
      path: '/invitations/{invitation_id}/accept',
      operationId: 'acceptInvitation',
      tags,
      summary: 'Accept an invitation: join the project',
      description: `The caller becomes a member with the invited role, and the project is returned as they now see it. ${UNVERIFIED} ${EXPIRY} An archived project cannot be joined until it is unarchived (403 \`project_archived\`).`,
      request: { params: InvitationIdParam },
      responses: {
        200: jsonResponse('The project joined', ProjectSchema),
        ...errorResponses(
          400,
          401,
          [403, 'The project is archived (`project_archived`).', ['project_archived']],
          NOT_MINE,
          [
            409,
            'The invitation is no longer pending (`invitation_closed`), or the caller is a member already (`already_member`).',
            ['invitation_closed', 'already_member'],
          ],
          429,
        ),
      },
    }),
    async (c) => {
      const joined = orProblem(
        await useCases.acceptInvitation.execute({
          actor: actorOf(c),
          invitationId: c.req.valid('param').invitation_id,
        }),
      );
      return c.json(toProjectJson(joined), 200);
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'post',
      path: '/invitations/{invitation_id}/decline',
      operationId: 'declineInvitation',
      tags,
      summary: 'Decline an invitation',
      description: `The invitation becomes \`declined\`; the project’s admins may invite the address again. ${UNVERIFIED}`,
      request: { params: InvitationIdParam },
      responses: {
        204: { description: 'Declined' },
        ...errorResponses(400, 401, NOT_MINE, CLOSED, 429),
      },
    }),
    async (c) => {
      orProblem(
        await useCases.declineInvitation.execute({
          actor: actorOf(c),
          invitationId: c.req.valid('param').invitation_id,
        }),
      );
      return c.body(null, 204);
    },
  );
  return app;
}
