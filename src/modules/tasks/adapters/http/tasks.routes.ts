import type { AuthEnv } from '../../../../shared/http/bearer-auth.ts';
import { createRouter } from '../../../../shared/http/create-app.ts';
import { errorResponses, jsonBody, jsonResponse } from '../../../../shared/http/openapi.ts';
import { createRoute } from '@hono/zod-openapi';
import { BEARER_SECURITY } from '../../../../shared/http/openapi.ts';
import { actorOf, orProblem, type TasksHttpOptions } from './tasks-http.ts';
import {
  AssigneeBody,
  CreateTaskBody,
  ListTasksQuery,
  TaskCategoryParams,
  TaskIdParam,
  TaskListSchema,
  TaskSchema,
  toTaskJson,
  UpdateTaskBody,
} from './tasks.schemas.ts';

const tags = ['Tasks'];
const TASK_NOT_FOUND: [number, string] = [404, 'No such task, or not visible to the caller.'];
/** Writes without a client version retry on the fresh task; only repeated lost races end here. */
const BUSY: [number, string] = [
  409,
  'The task kept changing concurrently (`version_conflict`); retry.',
];

export function tasksRoutes({ useCases, requireAuth }: TasksHttpOptions) {
  const app = createRouter<AuthEnv>();
  const authed = { middleware: requireAuth, security: BEARER_SECURITY };

  app.openapi(
    createRoute({
      ...authed,
      method: 'post',
      path: '/tasks',
      operationId: 'createTask',
      tags,
      summary: 'Create a task owned by the caller',
      request: { body: jsonBody(CreateTaskBody) },
      responses: {
        201: {
          ...jsonResponse('The created task', TaskSchema),
          headers: { Location: { schema: { type: 'string' } } },
        },
        ...errorResponses(400, 401, [404, 'Unknown category or assignee.'], 415, 429),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const view = orProblem(
        await useCases.createTask.execute({
          actor: actorOf(c),
          title: body.title,
          description: body.description,
          dueDate: body.due_date,
          remindAt: body.remind_at,
          priority: body.priority,
          status: body.status,
          categoryIds: body.category_ids,
          assigneeId: body.assignee_id,
        }),
      );
      return c.json(toTaskJson(view), 201, { Location: `/api/v1/tasks/${view.task.id}` });
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'get',
      path: '/tasks',
      operationId: 'listTasks',
      tags,
      summary: 'Tasks the caller owns or is assigned (soft-deleted ones excluded)',
      description:
        'Offset paging with `page`/`limit`, or keyset paging with `cursor` (`next_cursor` of the previous page), which stays fast at any depth.',
      request: { query: ListTasksQuery },
      responses: {
        200: jsonResponse('A page of tasks', TaskListSchema),
        ...errorResponses(400, 401, 429),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const out = orProblem(
        await useCases.listTasks.execute({
          actor: actorOf(c),
          page: q.page,
          limit: q.limit,
          cursor: q.cursor,
          scope: q.scope,
          sort: q.sort,
          status: q.status,
          priority: q.priority,
          dueFrom: q.due_from,
          dueTo: q.due_to,
          categoryId: q.category_id,
          assigneeId: q.assignee_id,
          q: q.q,
          includeTotal: q.include_total,
        }),
      );
      return c.json(
        {
          items: out.items.map(toTaskJson),
          total: out.total,
          page: out.page,
          limit: out.limit,
          next_cursor: out.nextCursor,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'get',
      path: '/tasks/{task_id}',
      operationId: 'getTask',
      tags,
      summary: 'One task',
      request: { params: TaskIdParam },
      responses: {
        200: {
          ...jsonResponse('The task', TaskSchema),
          headers: { ETag: { schema: { type: 'string' } } },
        },
        ...errorResponses(400, 401, TASK_NOT_FOUND, 429),
      },
    }),
    async (c) => {
      const view = orProblem(
        await useCases.getTask.execute({ actor: actorOf(c), taskId: c.req.valid('param').task_id }),
      );
      return c.json(toTaskJson(view), 200, { ETag: `W/"${view.task.version}"` });
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'patch',
      path: '/tasks/{task_id}',
      operationId: 'updateTask',
      tags,
      summary: 'Change a task (partial; `version` required)',
      description:
        'Absent fields stay; `null` clears a nullable field. The owner may change everything, the assignee only `status`. A stale `version` gets 409 `version_conflict` with `current_version`.',
      request: { params: TaskIdParam, body: jsonBody(UpdateTaskBody) },
      responses: {
        200: jsonResponse('The updated task', TaskSchema),
        ...errorResponses(
          400,
          401,
          [403, 'The assignee tried to change more than the status.'],
          [404, 'No such task (or category, or assignee).'],
          [409, 'The task changed since `version` (`version_conflict`, with `current_version`).'],
          415,
          429,
        ),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const view = orProblem(
        await useCases.updateTask.execute({
          actor: actorOf(c),
          taskId: c.req.valid('param').task_id,
          version: body.version,
          title: body.title,
          description: body.description,
          dueDate: body.due_date,
          remindAt: body.remind_at,
          priority: body.priority,
          status: body.status,
          categoryIds: body.category_ids,
          assigneeId: body.assignee_id,
        }),
      );
      return c.json(toTaskJson(view), 200);
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'delete',
      path: '/tasks/{task_id}',
      operationId: 'deleteTask',
      tags,
      summary: 'Delete a task (soft delete; owner only)',
      request: { params: TaskIdParam },
      responses: {
        204: { description: 'Deleted' },
        ...errorResponses(400, 401, 403, TASK_NOT_FOUND, BUSY, 429),
      },
    }),
    async (c) => {
      orProblem(
        await useCases.deleteTask.execute({
          actor: actorOf(c),
          taskId: c.req.valid('param').task_id,
        }),
      );
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'put',
      path: '/tasks/{task_id}/assignee',
      operationId: 'assignTask',
      tags,
      summary: 'Assign the task (owner only)',
      request: { params: TaskIdParam, body: jsonBody(AssigneeBody) },
      responses: {
        200: jsonResponse('The task', TaskSchema),
        ...errorResponses(
          400,
          401,
          403,
          [404, 'No such task, or no active, verified user with that id.'],
          BUSY,
          415,
          429,
        ),
      },
    }),
    async (c) => {
      const view = orProblem(
        await useCases.assignTask.execute({
          actor: actorOf(c),
          taskId: c.req.valid('param').task_id,
          assigneeId: c.req.valid('json').assignee_id,
        }),
      );
      return c.json(toTaskJson(view), 200);
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'delete',
      path: '/tasks/{task_id}/assignee',
      operationId: 'unassignTask',
      tags,
      summary: 'Remove the assignee (owner only)',
      request: { params: TaskIdParam },
      responses: {
        204: { description: 'Unassigned' },
        ...errorResponses(400, 401, 403, TASK_NOT_FOUND, BUSY, 429),
      },
    }),
    async (c) => {
      orProblem(
        await useCases.unassignTask.execute({
          actor: actorOf(c),
          taskId: c.req.valid('param').task_id,
        }),
      );
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'post',
      path: '/tasks/{task_id}/categories/{category_id}',
      operationId: 'addTaskCategory',
      tags,
      summary: 'Put the task in one of the caller’s categories (owner only)',
      request: { params: TaskCategoryParams },
      responses: {
        200: jsonResponse('The task', TaskSchema),
        ...errorResponses(
          400,
          401,
          403,
          [404, 'No such task, or not your category.'],
          [409, '`already_assigned`, or `version_conflict` after repeated concurrent changes'],
          429,
        ),
      },
    }),
    async (c) => {
      const { task_id, category_id } = c.req.valid('param');
      const view = orProblem(
        await useCases.addTaskCategory.execute({
          actor: actorOf(c),
          taskId: task_id,
          categoryId: category_id,
        }),
      );
      return c.json(toTaskJson(view), 200);
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'delete',
      path: '/tasks/{task_id}/categories/{category_id}',
      operationId: 'removeTaskCategory',
      tags,
      summary: 'Take the task out of a category (owner only)',
      request: { params: TaskCategoryParams },
      responses: {
        204: { description: 'Removed' },
        ...errorResponses(400, 401, 403, 404, BUSY, 429),
      },
    }),
    async (c) => {
      const { task_id, category_id } = c.req.valid('param');
      orProblem(
        await useCases.removeTaskCategory.execute({
          actor: actorOf(c),
          taskId: task_id,
          categoryId: category_id,
        }),
      );
      return c.body(null, 204);
    },
  );

  return app;
}
