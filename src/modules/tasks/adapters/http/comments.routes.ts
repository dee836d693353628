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
import { actorOf, orProblem, WRITE_REFUSED, type TasksHttpOptions } from './tasks-http.ts';
import {
  CommentBody,
  CommentListSchema,
  CommentParams,
  CommentSchema,
  PageQuery,
  TaskIdParam,
  toCommentJson,
} from './tasks.schemas.ts';

export function commentsRoutes({ useCases, requireAuth }: TasksHttpOptions) {
  const app = createRouter<AuthEnv>();
  const authed = { middleware: requireAuth, security: BEARER_SECURITY };
  const tags = ['Comments'];

  app.openapi(
    createRoute({
      ...authed,
      method: 'post',
      path: '/tasks/{task_id}/comments',
      operationId: 'addComment',
      tags,
      summary: 'Comment on a task (viewer or above, or the Inbox assignee)',
      description:
        'The task’s creator, its assignee and everyone who commented on it are notified (those who can still see it), never the author.',
      request: { params: TaskIdParam, body: jsonBody(CommentBody) },
      responses: {
        201: jsonResponse('The comment', CommentSchema, LOCATION_HEADER),
        ...errorResponses(400, 401, WRITE_REFUSED, 404, 415, 429),
      },
    }),
    async (c) => {
      const comment = orProblem(
        await useCases.addComment.execute({
          actor: actorOf(c),
          taskId: c.req.valid('param').task_id,
          body: c.req.valid('json').body,
        }),
      );
      return c.json(toCommentJson(comment), 201, {
        Location: `/api/v1/tasks/${comment.taskId}/comments/${comment.id}`,
      });
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'get',
      path: '/tasks/{task_id}/comments',
      operationId: 'listComments',
      tags,
      summary: 'A task’s comments, oldest first',
      description: 'Offset paging with `page` and `limit`.',
      request: { params: TaskIdParam, query: PageQuery },
      responses: {
        200: jsonResponse('A page of comments', CommentListSchema),
        ...errorResponses(400, 401, 404, 429),
      },
    }),
    async (c) => {
      const { page, limit } = c.req.valid('query');
      const out = orProblem(
        await useCases.listComments.execute({
          actor: actorOf(c),
          taskId: c.req.valid('param').task_id,
          page,
          limit,
        }),
      );
      return c.json({ ...out, items: out.items.map(toCommentJson) }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'patch',
      path: '/tasks/{task_id}/comments/{comment_id}',
      operationId: 'updateComment',
      tags,
      summary: 'Edit a comment (author only)',
      description: 'The body is replaced as written; `updated_at` moves only when it changes.',
      request: { params: CommentParams, body: jsonBody(CommentBody) },
      responses: {
        200: jsonResponse('The comment', CommentSchema),
        ...errorResponses(400, 401, WRITE_REFUSED, 404, 415, 429),
      },
    }),
    async (c) => {
      const { task_id, comment_id } = c.req.valid('param');
      const comment = orProblem(
        await useCases.updateComment.execute({
          actor: actorOf(c),
          taskId: task_id,
          commentId: comment_id,
          body: c.req.valid('json').body,
        }),
      );
      return c.json(toCommentJson(comment), 200);
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'delete',
      path: '/tasks/{task_id}/comments/{comment_id}',
      operationId: 'deleteComment',
      tags,
      summary: 'Delete a comment (author, or admin or above)',
      description:
        'The author may delete a comment, and so may an `admin` or above of the task’s project (in an Inbox, its owner).',
      request: { params: CommentParams },
      responses: {
        204: { description: 'Deleted' },
        ...errorResponses(400, 401, WRITE_REFUSED, 404, 429),
      },
    }),
    async (c) => {
      const { task_id, comment_id } = c.req.valid('param');
      orProblem(
        await useCases.deleteComment.execute({
          actor: actorOf(c),
          taskId: task_id,
          commentId: comment_id,
        }),
      );
      return c.body(null, 204);
    },
  );
  return app;
}
