import { createRoute } from '@hono/zod-openapi';
import type { AuthEnv } from '../../../../shared/http/bearer-auth.ts';
import { createRouter } from '../../../../shared/http/create-app.ts';
import {
  BEARER_SECURITY,
  errorResponses,
  jsonBody,
  jsonResponse,
} from '../../../../shared/http/openapi.ts';
import { PROJECT_NOT_FOUND } from './projects.routes.ts';
import {
  MemberListSchema,
  MemberParams,
  MemberSchema,
  ProjectIdParam,
  RoleBody,
  toMemberJson,
} from './projects.schemas.ts';
import { actorOf, orProblem, type TasksHttpOptions } from './tasks-http.ts';

const tags = ['Projects'];
const MEMBER_NOT_FOUND: [number, string] = [
  404,
  'No such project visible to the caller, or the user is not a member of it.',
];

export function membersRoutes({ useCases, requireAuth }: TasksHttpOptions) {
  const app = createRouter<AuthEnv>();
  const authed = { middleware: requireAuth, security: BEARER_SECURITY };

  app.openapi(
    createRoute({
      ...authed,
      method: 'get',
      path: '/projects/{project_id}/members',
      operationId: 'listMembers',
      tags,
      summary: 'The members of a project (any member)',
      description: 'Oldest members first (by `joined_at`, then `user_id`).',
      request: { params: ProjectIdParam },
      responses: {
        200: jsonResponse('Every member', MemberListSchema),
        ...errorResponses(400, 401, PROJECT_NOT_FOUND, 429),
      },
    }),
    async (c) => {
      const members = orProblem(
        await useCases.listMembers.execute({
          actor: actorOf(c),
          projectId: c.req.valid('param').project_id,
        }),
      );
      return c.json({ items: members.map(toMemberJson) }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'patch',
      path: '/projects/{project_id}/members/{user_id}',
      operationId: 'changeMemberRole',
      tags,
      summary: 'Change a member’s role (admin or owner)',
      description:
        'Anyone but the owner (whose role moves only by transfer) may be given `viewer`, `editor` or `admin`, by an admin or the owner; an admin may demote another admin or step down. Giving the role a member has changes nothing.',
      request: { params: MemberParams, body: jsonBody(RoleBody) },
      responses: {
        200: jsonResponse('The member', MemberSchema),
        ...errorResponses(
          400,
          401,
          [
            403,
            'The caller is below admin or targets the owner (`forbidden`), or the project is archived (`project_archived`).',
            ['forbidden', 'project_archived'],
          ],
          MEMBER_NOT_FOUND,
          415,
          429,
        ),
      },
    }),
    async (c) => {
      const { project_id, user_id } = c.req.valid('param');
      const member = orProblem(
        await useCases.changeMemberRole.execute({
          actor: actorOf(c),
          projectId: project_id,
          userId: user_id,
          role: c.req.valid('json').role,
        }),
      );
      return c.json(toMemberJson(member), 200);
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'delete',
      path: '/projects/{project_id}/members/{user_id}',
      operationId: 'removeMember',
      tags,
      summary: 'Remove a member (admin or owner), or leave (your own id)',
      description:
        'Anyone but the owner may leave; an admin or the owner removes anyone below the owner. The member’s open (not completed) tasks in the project are unassigned in the same step. An archived project’s members stay as they are until it is unarchived.',
      request: { params: MemberParams },
      responses: {
        204: { description: 'Removed' },
        ...errorResponses(
          400,
          401,
          [
            403,
            'The caller is below admin, or targets the owner (`forbidden`), or the project is archived (`project_archived`).',
            ['forbidden', 'project_archived'],
          ],
          MEMBER_NOT_FOUND,
          [
            409,
            'The owner tried to leave (`owner_cannot_leave`): transfer the project first.',
            ['owner_cannot_leave'],
          ],
          429,
        ),
      },
    }),
    async (c) => {
      const { project_id, user_id } = c.req.valid('param');
      orProblem(
        await useCases.removeMember.execute({
          actor: actorOf(c),
          projectId: project_id,
          userId: user_id,
        }),
      );
      return c.body(null, 204);
    },
  );

  return app;
}
