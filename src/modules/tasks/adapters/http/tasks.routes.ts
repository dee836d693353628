import { createRoute, z } from '@hono/zod-openapi';
import type { Clock } from '../../../../shared/domain/clock.ts';
import type { AuthEnv } from '../../../../shared/http/bearer-auth.ts';
import { checkFields, createRouter, type FieldCheck } from '../../../../shared/http/create-app.ts';
import {
  BEARER_SECURITY,
  errorResponses,
  ETAG_HEADER,
  headersDoc,
  jsonBody,
  jsonResponse,
  LOCATION_HEADER,
} from '../../../../shared/http/openapi.ts';
import { scheduleErrors } from '../../domain/task-fields.ts';
import type { TaskPatch } from '../../domain/task.ts';
import {
  actorOf,
  IF_MATCH_PATTERN,
  ifMatchVersion,
  noneMatchHits,
  orProblem,
  TASK_ACCESS_RULES,
  taskEtag,
  WRITE_REFUSED,
  type TasksHttpOptions,
} from './tasks-http.ts';
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
import { ASSIGNABLE } from './tasks.problems.ts';

const tags = ['Tasks'];
const TASK_NOT_FOUND: [number, string] = [404, 'No such task, or not visible to the caller.'];
/** Writes without a client version retry on the fresh task; only repeated lost races end here. */
const BUSY: [number, string, string[]] = [
  409,
  'The task kept changing concurrently (`version_conflict`); retry.',
  ['version_conflict'],
];

const IfMatchHeader = z.object({
  'If-Match': z
    .string()
    .regex(IF_MATCH_PATTERN, 'must be * or one entity tag such as W/"3"')
    .optional()
    .openapi({
      param: { name: 'If-Match', in: 'header' },
      description:
        'The task’s `ETag` (or `*`, or `W/"<version>"`): the change applies only to that version, else 412 `precondition_failed`. Replaces the body’s `version`; only the version part is compared, weak or strong.',
      example: 'W/"3.9f86d081884c7d65"',
    }),
});
const IfNoneMatchHeader = z.object({
  'If-None-Match': z
    .string()
    .optional()
    .openapi({
      param: { name: 'If-None-Match', in: 'header' },
      description:
        'ETags the caller holds; the current one (or `*`) gets 304 without a body. The tag changes with anything in the representation, counts and categories included.',
      example: 'W/"3.9f86d081884c7d65"',
    }),
});

/** Dates given as valid times, judged by the domain's schedule rules when the schema refused the body. */
function scheduleCheck(clock: Clock): FieldCheck<AuthEnv> {
  return (body) => {
    const due = timeOf(body.due_date);
    const remind = timeOf(body.remind_at);
    // A date the schema already refused is named once; its partner is judged on the next try.
    if (due === false || remind === false) return [];
    return scheduleErrors(
      { dueDate: due ?? null, remindAt: remind ?? null },
      { dueDate: due !== undefined, remindAt: remind !== undefined },
      clock.now(),
    );
  };
}

/** The time of a field, undefined when absent or null, false when it is not a valid time. */
function timeOf(value: unknown): Date | undefined | false {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return false;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? false : date;
}

/** PATCH needs the version it is based on: in `If-Match` or in the body. */
const versionGiven: FieldCheck<AuthEnv> = (body, c) =>
  body.version === undefined && c.req.header('if-match') === undefined
    ? [{ field: 'version', message: 'is required unless If-Match is sent' }]
    : [];

export function tasksRoutes({ useCases, requireAuth, clock }: TasksHttpOptions) {
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
      description: `Every field rule is judged before a refusal, so one 400 names every offending field. \`category_ids\` must be the caller’s own categories; \`assignee_id\` an active user with a verified email (in a shared project, a member). ${TASK_ACCESS_RULES}`,
      request: { body: jsonBody(CreateTaskBody) },
      responses: {
        201: jsonResponse('The created task', TaskSchema, { ...LOCATION_HEADER, ...ETAG_HEADER }),
        ...errorResponses(
          400,
          401,
          WRITE_REFUSED,
          [404, `Unknown project (or not a member), category or assignee. ${ASSIGNABLE}`],
          415,
          429,
        ),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const view = orProblem(
        await useCases.createTask.execute({
          actor: actorOf(c),
          projectId: body.project_id,
          ...taskFieldsOf(body),
        }),
      );
      const json = toTaskJson(view);
      return c.json(json, 201, { Location: `/api/v1/tasks/${view.task.id}`, ETag: taskEtag(json) });
    },
    checkFields(scheduleCheck(clock)),
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'get',
      path: '/tasks',
      operationId: 'listTasks',
      tags,
      summary:
        "Tasks the caller sees: of their projects, and assigned to them in another user's Inbox (soft-deleted ones excluded)",
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
          projectId: q.project_id,
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
      description:
        'Carries the task’s `ETag`; with `If-None-Match` naming it, the answer is 304 without a body.',
      request: { params: TaskIdParam, headers: IfNoneMatchHeader },
      responses: {
        200: jsonResponse('The task', TaskSchema, ETAG_HEADER),
        304: {
          description: 'The task is still at the version `If-None-Match` names.',
          headers: headersDoc(ETAG_HEADER),
        },
        ...errorResponses(400, 401, TASK_NOT_FOUND, 429),
      },
    }),
    async (c) => {
      const view = orProblem(
        await useCases.getTask.execute({ actor: actorOf(c), taskId: c.req.valid('param').task_id }),
      );
      const json = toTaskJson(view);
      const etag = taskEtag(json);
      if (noneMatchHits(c.req.header('if-none-match'), etag)) {
        return c.body(null, 304, { ETag: etag });
      }
      return c.json(json, 200, { ETag: etag });
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'patch',
      path: '/tasks/{task_id}',
      operationId: 'updateTask',
      tags,
      summary: 'Change a task (partial; `version` or `If-Match` required)',
      description:
        'Absent fields stay; `null` clears a nullable field. An `editor`+ of the task’s project may change everything (and move it with `project_id`, being `editor`+ in the target too); the assignee of an Inbox task only `status`. The change is based on a version: the body’s `version` (stale: 409 `version_conflict`) or `If-Match` (stale: 412 `precondition_failed`), both with `current_version`; with both, `If-Match` is judged first.',
      request: { params: TaskIdParam, headers: IfMatchHeader, body: jsonBody(UpdateTaskBody) },
      responses: {
        200: jsonResponse('The updated task', TaskSchema, ETAG_HEADER),
        ...errorResponses(
          400,
          401,
          [
            403,
            'Too low a role in the task’s project, or in the target of a move (`forbidden`; the Inbox assignee tried to change more than the status), or the project is archived (`project_archived`).',
            ['forbidden', 'project_archived'],
          ],
          [404, `No such task (or category, or assignee, or target project). ${ASSIGNABLE}`],
          [
            409,
            'The task changed since the body’s `version` (`version_conflict`, with `current_version`), or a move would keep an assignee who is not a member of the target (`assignee_not_member`).',
            ['version_conflict', 'assignee_not_member'],
          ],
          412,
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
          precondition: numberOrUndefined(ifMatchVersion(c.req.valid('header')['If-Match'])),
          projectId: body.project_id,
          ...taskFieldsOf(body),
        }),
      );
      const json = toTaskJson(view);
      return c.json(json, 200, { ETag: taskEtag(json) });
    },
    checkFields(versionGiven, { always: true }),
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'delete',
      path: '/tasks/{task_id}',
      operationId: 'deleteTask',
      tags,
      summary: 'Delete a task (soft delete; editor or above)',
      description:
        'Soft delete: the task disappears from every list and read, for everyone who could see it.',
      request: { params: TaskIdParam },
      responses: {
        204: { description: 'Deleted' },
        ...errorResponses(400, 401, WRITE_REFUSED, TASK_NOT_FOUND, BUSY, 429),
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
      summary: 'Assign the task (editor or above)',
      description: `${ASSIGNABLE} They are notified (\`task.assigned\`).`,
      request: { params: TaskIdParam, body: jsonBody(AssigneeBody) },
      responses: {
        200: jsonResponse('The task', TaskSchema, ETAG_HEADER),
        ...errorResponses(
          400,
          401,
          WRITE_REFUSED,
          [404, `No such task, or no assignable user with that id. ${ASSIGNABLE}`],
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
      const json = toTaskJson(view);
      return c.json(json, 200, { ETag: taskEtag(json) });
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'delete',
      path: '/tasks/{task_id}/assignee',
      operationId: 'unassignTask',
      tags,
      summary: 'Remove the assignee (editor or above)',
      description:
        'The former assignee of an Inbox task no longer sees it; a member of a shared project still does.',
      request: { params: TaskIdParam },
      responses: {
        204: { description: 'Unassigned' },
        ...errorResponses(400, 401, WRITE_REFUSED, TASK_NOT_FOUND, BUSY, 429),
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
      description: 'Only the caller’s own categories can be added; another user’s is not found.',
      request: { params: TaskCategoryParams },
      responses: {
        200: jsonResponse('The task', TaskSchema, ETAG_HEADER),
        ...errorResponses(
          400,
          401,
          WRITE_REFUSED,
          [404, 'No such task, or not your category.'],
          [
            409,
            '`already_assigned`, or `version_conflict` after repeated concurrent changes',
            ['already_assigned', 'version_conflict'],
          ],
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
      const json = toTaskJson(view);
      return c.json(json, 200, { ETag: taskEtag(json) });
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
      description: 'A category the task is not in is not found (404).',
      request: { params: TaskCategoryParams },
      responses: {
        204: { description: 'Removed' },
        ...errorResponses(400, 401, WRITE_REFUSED, 404, BUSY, 429),
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

/** The task fields of a create or update body, named as the use cases take them. */
function taskFieldsOf<Body extends Omit<z.infer<typeof UpdateTaskBody>, 'version'>>(
  body: Body,
): TaskPatch & { title: Body['title'] } {
  return {
    title: body.title,
    description: body.description,
    dueDate: body.due_date,
    remindAt: body.remind_at,
    priority: body.priority,
    status: body.status,
    categoryIds: body.category_ids,
    assigneeId: body.assignee_id,
  };
}

const numberOrUndefined = (value: number | '*' | undefined) =>
  typeof value === 'number' ? value : undefined;
