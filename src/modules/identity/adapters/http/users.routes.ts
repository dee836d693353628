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
import { MeSchema, toMeJson, toUserJson, UpdateMeBody, UserSchema } from './identity.schemas.ts';

export function usersRoutes({
  useCases,
  requireAuth,
}: Pick<IdentityHttpOptions, 'useCases' | 'requireAuth'>) {
  const app = createRouter<AuthEnv>();
  const authed = { middleware: requireAuth, security: BEARER_SECURITY };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/users/me',
      operationId: 'getMe',
      tags: ['Users'],
      ...authed,
      summary: 'The signed-in user, with their attachment storage usage',
      description:
        'The account behind the access token, as stored now, and the bytes of attachments it ' +
        'uploaded against its quota. A personal access token may read it whatever its scopes.',
      responses: {
        200: jsonResponse('The caller and their storage usage', MeSchema),
        ...errorResponses(401, 429),
      },
    }),
    async (c) => {
      const profile = valueOr(
        await useCases.getProfile.execute({ principal: c.get('principal') }),
        (e) => identityProblem(e),
      );
      return c.json(toMeJson(profile), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/users/me',
      operationId: 'updateMe',
      tags: ['Users'],
      ...authed,
      summary: "Change the signed-in user's name",
      description: 'Only `full_name` can change; it is stored trimmed.',
      request: { body: jsonBody(UpdateMeBody) },
      responses: {
        200: jsonResponse('The updated user', UserSchema),
        ...errorResponses(400, 401, 415, 429),
      },
    }),
    async (c) => {
      const user = valueOr(
        await useCases.updateProfile.execute({
          principal: sessionOf(c),
          fullName: c.req.valid('json').full_name,
        }),
        (e) => identityProblem(e),
      );
      return c.json(toUserJson(user), 200);
    },
  );

  return app;
}
