import { createRoute } from '@hono/zod-openapi';
import type { AuthEnv } from '../../../../shared/http/bearer-auth.ts';
import { createRouter } from '../../../../shared/http/create-app.ts';
import { BEARER_SECURITY, errorResponses, jsonResponse } from '../../../../shared/http/openapi.ts';
import {
  AdminProjectListSchema,
  AdminProjectsQuery,
  toAdminProjectJson,
} from './projects.schemas.ts';
import { actorOf, orProblem, type TasksHttpOptions } from './tasks-http.ts';

export function adminProjectsRoutes({ useCases, requireAuth }: TasksHttpOptions) {
  const app = createRouter<AuthEnv>();

  app.openapi(
    createRoute({
      middleware: requireAuth,
      security: BEARER_SECURITY,
      method: 'get',
      path: '/admin/projects',
      operationId: 'adminListProjects',
      tags: ['Admin'],
      summary: 'Every project with its owner and counts, newest first (admins only)',
      description:
        'Offset paging over every live project, Inboxes included; `q` filters by a substring of the name or the owner’s email. A site admin sees projects here only: the project routes stay for members.',
      request: { query: AdminProjectsQuery },
      responses: {
        200: jsonResponse('A page of projects', AdminProjectListSchema),
        ...errorResponses(400, 401, [403, 'The caller is not an admin.', ['forbidden']], 429),
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const page = orProblem(
        await useCases.adminListProjects.execute({
          actor: actorOf(c),
          page: query.page,
          limit: query.limit,
          ...(query.q === undefined ? {} : { q: query.q }),
        }),
      );
      return c.json({ ...page, items: page.items.map(toAdminProjectJson) }, 200);
    },
  );

  return app;
}
