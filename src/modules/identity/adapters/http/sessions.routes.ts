import { createRoute } from '@hono/zod-openapi';
import { sessionOf, type AuthEnv } from '../../../../shared/http/bearer-auth.ts';
import { createRouter } from '../../../../shared/http/create-app.ts';
import { BEARER_SECURITY, errorResponses, jsonResponse } from '../../../../shared/http/openapi.ts';
import { valueOr } from '../../../../shared/http/problem.ts';
import type { IdentityHttpOptions } from './identity-http.ts';
import { identityProblem } from './identity.problems.ts';
import { SessionIdParam, SessionListSchema, toSessionJson } from './identity.schemas.ts';

const tags = ['Auth'];
const noContent = (description: string) => ({ 204: { description } });

/** The caller's sessions (mounted under `/auth`, beside log-in and log-out). */
export function sessionsRoutes({
  useCases,
  requireAuth,
}: Pick<IdentityHttpOptions, 'useCases' | 'requireAuth'>) {
  const app = createRouter<AuthEnv>();
  const authed = { middleware: requireAuth, security: BEARER_SECURITY };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/sessions',
      operationId: 'listSessions',
      tags,
      ...authed,
      summary: "The caller's live sessions",
      description: 'Sessions not revoked or expired; `current` marks the one making this request.',
      responses: {
        200: jsonResponse('Live sessions, most recently used first', SessionListSchema),
        ...errorResponses(401, 429),
      },
    }),
    async (c) => {
      const sessions = valueOr(
        await useCases.listSessions.execute({ principal: sessionOf(c) }),
        (error) => identityProblem(error),
      );
      return c.json({ items: sessions.items.map(toSessionJson) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/sessions/{session_id}',
      operationId: 'revokeSession',
      tags,
      ...authed,
      summary: 'Revoke one of the caller’s sessions',
      description: 'Another user’s session, or an unknown one, is not found.',
      request: { params: SessionIdParam },
      responses: { ...noContent('Session revoked'), ...errorResponses(400, 401, 404, 429) },
    }),
    async (c) => {
      valueOr(
        await useCases.revokeSession.execute({
          principal: sessionOf(c),
          sessionId: c.req.valid('param').session_id,
        }),
        (error) => identityProblem(error),
      );
      return c.body(null, 204);
    },
  );

  return app;
}
