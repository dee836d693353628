import { createRoute } from '@hono/zod-openapi';
import type { AuthEnv } from '../../../../shared/http/bearer-auth.ts';
import { createRouter } from '../../../../shared/http/create-app.ts';
import {
  BEARER_SECURITY,
  errorResponses,
  jsonBody,
  jsonResponse,
  LOCATION_HEADER,
} from '../../../../shared/http/openapi.ts';
import { actorOf, orProblem, type TasksHttpOptions } from './tasks-http.ts';
import {
  CategoryIdParam,
  CategoryListSchema,
  CategorySchema,
  CreateCategoryBody,
  toCategoryJson,
  UpdateCategoryBody,
} from './tasks.schemas.ts';

export function categoriesRoutes({ useCases, requireAuth }: TasksHttpOptions) {
  const app = createRouter<AuthEnv>();
  const authed = { middleware: requireAuth, security: BEARER_SECURITY };
  const tags = ['Categories'];

  app.openapi(
    createRoute({
      ...authed,
      method: 'post',
      path: '/categories',
      operationId: 'createCategory',
      tags,
      summary: 'Create a category',
      description: 'Names are unique per user, compared trimmed and case-insensitively.',
      request: { body: jsonBody(CreateCategoryBody) },
      responses: {
        201: jsonResponse('The category', CategorySchema, LOCATION_HEADER),
        ...errorResponses(
          400,
          401,
          [
            409,
            'You already have a category with this name (`category_exists`).',
            ['category_exists'],
          ],
          415,
          429,
        ),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const category = orProblem(
        await useCases.createCategory.execute({
          actor: actorOf(c),
          name: body.name,
          color: body.color,
        }),
      );
      return c.json(toCategoryJson(category), 201, {
        Location: `/api/v1/categories/${category.id}`,
      });
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'get',
      path: '/categories',
      operationId: 'listCategories',
      tags,
      summary: 'The caller’s categories, by name',
      description: 'Every category of the caller; categories are private to their user.',
      responses: {
        200: jsonResponse('Categories', CategoryListSchema),
        ...errorResponses(401, 429),
      },
    }),
    async (c) => {
      const out = orProblem(await useCases.listCategories.execute({ actor: actorOf(c) }));
      return c.json({ items: out.items.map(toCategoryJson) }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'patch',
      path: '/categories/{category_id}',
      operationId: 'updateCategory',
      tags,
      summary: 'Rename or recolour a category',
      description: 'Absent fields stay; `color: null` removes the colour.',
      request: { params: CategoryIdParam, body: jsonBody(UpdateCategoryBody) },
      responses: {
        200: jsonResponse('The category', CategorySchema),
        ...errorResponses(
          400,
          401,
          404,
          [409, 'You already have a category with this name.', ['category_exists']],
          415,
          429,
        ),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const category = orProblem(
        await useCases.updateCategory.execute({
          actor: actorOf(c),
          categoryId: c.req.valid('param').category_id,
          name: body.name,
          color: body.color,
        }),
      );
      return c.json(toCategoryJson(category), 200);
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'delete',
      path: '/categories/{category_id}',
      operationId: 'deleteCategory',
      tags,
      summary: 'Delete a category; it is removed from its tasks',
      description: 'The tasks stay; only their link to this category goes.',
      request: { params: CategoryIdParam },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 401, 404, 429) },
    }),
    async (c) => {
      orProblem(
        await useCases.deleteCategory.execute({
          actor: actorOf(c),
          categoryId: c.req.valid('param').category_id,
        }),
      );
      return c.body(null, 204);
    },
  );
  return app;
}
