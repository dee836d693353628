import { createRoute } from '@hono/zod-openapi';
import { sessionOf, type AuthEnv } from '../../../../shared/http/bearer-auth.ts';
import { createRouter } from '../../../../shared/http/create-app.ts';
import {
  BEARER_SECURITY,
  errorResponses,
  jsonBody,
  jsonResponse,
} from '../../../../shared/http/openapi.ts';
import { valueOr } from '../../../../shared/http/problem.ts';
import type { IdentityHttpOptions } from './identity-http.ts';
import { identityProblem } from './identity.problems.ts';
import {
  AdminUpdateUserBody,
  AdminUsersQuery,
  toUserJson,
  UserIdParam,
  UserListSchema,
  UserSchema,
} from './identity.schemas.ts';

export function adminUsersRoutes({
  useCases,
  requireAuth,
}: Pick<IdentityHttpOptions, 'useCases' | 'requireAuth'>) {
  const app = createRouter<AuthEnv>();
  const authed = { middleware: requireAuth, security: BEARER_SECURITY };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/users',
      operationId: 'adminListUsers',
      tags: ['Admin'],
      ...authed,
      summary: 'List users, newest first (admins only)',
      description: 'Offset paging; `q` filters by a substring of the email or the full name.',
      request: { query: AdminUsersQuery },
      responses: {
        200: jsonResponse('A page of users', UserListSchema),
        ...errorResponses(400, 401, [403, 'The caller is not an admin.', ['forbidden']], 429),
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const page = valueOr(
        await useCases.adminListUsers.execute({ principal: sessionOf(c), ...query }),
        (e) => identityProblem(e),
      );
      return c.json({ ...page, items: page.items.map(toUserJson) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/admin/users/{user_id}',
      operationId: 'adminUpdateUser',
      tags: ['Admin'],
      ...authed,
      summary: 'Change a user’s role or deactivate them (admins only)',
      description:
        'Deactivation revokes every session of the user at once. Admins cannot demote or deactivate themselves.',
      request: { params: UserIdParam, body: jsonBody(AdminUpdateUserBody) },
      responses: {
        200: jsonResponse('The updated user', UserSchema),
        ...errorResponses(
          400,
          401,
          [
            403,
            'The caller is not an admin (`forbidden`), or targets themself (`cannot_modify_self`).',
            ['forbidden', 'cannot_modify_self'],
          ],
          404,
          415,
          429,
        ),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const user = valueOr(
        await useCases.adminUpdateUser.execute({
          principal: sessionOf(c),
          userId: c.req.valid('param').user_id,
          role: body.role,
          isActive: body.is_active,
        }),
        (e) => identityProblem(e),
      );
      return c.json(toUserJson(user), 200);
    },
  );

  return app;
}
