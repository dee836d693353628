import { createRoute } from '@hono/zod-openapi';
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
  type ProblemEntry,
} from '../../../../shared/http/openapi.ts';
import { PROJECT_LIST_ORDER } from '../../application/list-projects.ts';
import type { ProjectView } from '../../application/ports.ts';
import {
  CreateProjectBody,
  IfMatchHeader,
  IfNoneMatchHeader,
  ListProjectsQuery,
  ProjectIdParam,
  ProjectListSchema,
  ProjectSchema,
  toProjectJson,
  TransferBody,
  UpdateProjectBody,
} from './projects.schemas.ts';
import {
  actorOf,
  ifMatchVersion,
  noneMatchHits,
  orProblem,
  taskEtag as projectEtag,
  type TasksHttpOptions,
} from './tasks-http.ts';

const tags = ['Projects'];
export const PROJECT_NOT_FOUND: ProblemEntry = [
  404,
  'No such project, or the caller is not a member of it.',
];
const INBOX: string = 'the Inbox (`personal_project`)';
const ARCHIVED: string = 'the project is archived (`project_archived`)';

/** PATCH needs the version it is based on: in `If-Match` or in the body. */
const versionGiven: FieldCheck<AuthEnv> = (body, c) =>
  body.version === undefined && c.req.header('if-match') === undefined
    ? [{ field: 'version', message: 'is required unless If-Match is sent' }]
    : [];

function withEtag(view: ProjectView) {
  const json = toProjectJson(view);
  return { json, etag: projectEtag(json) };
}

export function projectsRoutes({ useCases, requireAuth }: TasksHttpOptions) {
  const app = createRouter<AuthEnv>();
  const authed = { middleware: requireAuth, security: BEARER_SECURITY };

  app.openapi(
    createRoute({
      ...authed,
      method: 'post',
      path: '/projects',
      operationId: 'createProject',
      tags,
      summary: 'Create a shared project; the caller is its owner',
      description:
        'The caller becomes the owner and only member; others join by invitation. Every field rule is judged before a refusal, so one 400 names every offending field.',
      request: { body: jsonBody(CreateProjectBody) },
      responses: {
        201: jsonResponse('The created project', ProjectSchema, {
          ...LOCATION_HEADER,
          ...ETAG_HEADER,
        }),
        ...errorResponses(400, 401, 415, 429),
      },
    }),
    async (c) => {
      const view = orProblem(
        await useCases.createProject.execute({ actor: actorOf(c), ...c.req.valid('json') }),
      );
      const { json, etag } = withEtag(view);
      return c.json(json, 201, { Location: `/api/v1/projects/${json.id}`, ETag: etag });
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'get',
      path: '/projects',
      operationId: 'listProjects',
      tags,
      summary: 'The projects the caller is a member of',
      description: `Keyset paging with \`cursor\`. ${PROJECT_LIST_ORDER} A cursor is a position, so a project created or renamed meanwhile never makes a page repeat or skip another one.`,
      request: { query: ListProjectsQuery },
      responses: {
        200: jsonResponse('A page of projects', ProjectListSchema),
        ...errorResponses(400, 401, 429),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const page = orProblem(
        await useCases.listProjects.execute({
          actor: actorOf(c),
          archived: q.archived,
          limit: q.limit,
          ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
        }),
      );
      return c.json({ items: page.items.map(toProjectJson), next_cursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'get',
      path: '/projects/{project_id}',
      operationId: 'getProject',
      tags,
      summary: 'One project (members only)',
      description:
        'Carries the project’s `ETag`; with `If-None-Match` naming it, the answer is 304 without a body.',
      request: { params: ProjectIdParam, headers: IfNoneMatchHeader },
      responses: {
        200: jsonResponse('The project', ProjectSchema, ETAG_HEADER),
        304: {
          description: 'The project is as `If-None-Match` names it.',
          headers: headersDoc(ETAG_HEADER),
        },
        ...errorResponses(400, 401, PROJECT_NOT_FOUND, 429),
      },
    }),
    async (c) => {
      const view = orProblem(
        await useCases.getProject.execute({
          actor: actorOf(c),
          projectId: c.req.valid('param').project_id,
        }),
      );
      const { json, etag } = withEtag(view);
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
      path: '/projects/{project_id}',
      operationId: 'updateProject',
      tags,
      summary: 'Rename or recolour a project (admin or owner; `version` or `If-Match`)',
      description:
        'Absent fields stay; `null` clears `description` or `color`. Who may is judged first, then the version: the body’s `version` (stale: 409 `version_conflict`) or `If-Match` (stale: 412 `precondition_failed`), both with `current_version`; with both, `If-Match` is judged first.',
      request: {
        params: ProjectIdParam,
        headers: IfMatchHeader,
        body: jsonBody(UpdateProjectBody),
      },
      responses: {
        200: jsonResponse('The updated project', ProjectSchema, ETAG_HEADER),
        ...errorResponses(
          400,
          401,
          [
            403,
            `The caller is below admin (\`forbidden\`), ${INBOX}, or ${ARCHIVED}.`,
            ['forbidden', 'personal_project', 'project_archived'],
          ],
          PROJECT_NOT_FOUND,
          [
            409,
            'The project changed since the body’s `version` (`version_conflict`, with `current_version`).',
            ['version_conflict'],
          ],
          412,
          415,
          429,
        ),
      },
    }),
    async (c) => {
      const { version, ...patch } = c.req.valid('json');
      const precondition = ifMatchVersion(c.req.valid('header')['If-Match']);
      const view = orProblem(
        await useCases.updateProject.execute({
          actor: actorOf(c),
          projectId: c.req.valid('param').project_id,
          ...patch,
          ...(version === undefined ? {} : { version }),
          ...(typeof precondition === 'number' ? { precondition } : {}),
        }),
      );
      const { json, etag } = withEtag(view);
      return c.json(json, 200, { ETag: etag });
    },
    checkFields(versionGiven, { always: true }),
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'delete',
      path: '/projects/{project_id}',
      operationId: 'deleteProject',
      tags,
      summary: 'Delete a project and its tasks (owner only; soft delete)',
      description:
        'The project and every task in it disappear for everyone, in one transaction; their reminders are called off. An archived project may be deleted.',
      request: { params: ProjectIdParam },
      responses: {
        204: { description: 'Deleted' },
        ...errorResponses(
          400,
          401,
          [
            403,
            `The caller is not the owner (\`forbidden\`), or ${INBOX}.`,
            ['forbidden', 'personal_project'],
          ],
          PROJECT_NOT_FOUND,
          429,
        ),
      },
    }),
    async (c) => {
      orProblem(
        await useCases.deleteProject.execute({
          actor: actorOf(c),
          projectId: c.req.valid('param').project_id,
        }),
      );
      return c.body(null, 204);
    },
  );

  for (const archived of [true, false]) {
    const verb = archived ? 'archive' : 'unarchive';
    app.openapi(
      createRoute({
        ...authed,
        method: 'post',
        path: `/projects/{project_id}/${verb}`,
        operationId: archived ? 'archiveProject' : 'unarchiveProject',
        tags,
        summary: archived
          ? 'Archive a project: read-only for everyone (admin or owner)'
          : 'Unarchive a project (admin or owner)',
        description: archived
          ? 'Every write to the project, its members or its tasks is then refused with 403 `project_archived`, until it is unarchived; deleting it stays possible. Archiving an archived project changes nothing.'
          : 'The one write an archived project accepts. Unarchiving a project that is not archived changes nothing.',
        request: { params: ProjectIdParam },
        responses: {
          200: jsonResponse('The project', ProjectSchema, ETAG_HEADER),
          ...errorResponses(
            400,
            401,
            [
              403,
              `The caller is below admin (\`forbidden\`), or ${INBOX}.`,
              ['forbidden', 'personal_project'],
            ],
            PROJECT_NOT_FOUND,
            429,
          ),
        },
      }),
      async (c) => {
        const view = orProblem(
          await useCases.archiveProject.execute({
            actor: actorOf(c),
            projectId: c.req.valid('param').project_id,
            archived,
          }),
        );
        const { json, etag } = withEtag(view);
        return c.json(json, 200, { ETag: etag });
      },
    );
  }

  app.openapi(
    createRoute({
      ...authed,
      method: 'post',
      path: '/projects/{project_id}/transfer',
      operationId: 'transferProject',
      tags,
      summary: 'Hand the project to another member (owner only)',
      description:
        'The member becomes the owner and the caller an admin, in one step: there is always exactly one owner. The answer is the project as the caller now sees it.',
      request: { params: ProjectIdParam, body: jsonBody(TransferBody) },
      responses: {
        200: jsonResponse('The project', ProjectSchema, ETAG_HEADER),
        ...errorResponses(
          [400, 'The body is invalid, or names the caller.'],
          401,
          [
            403,
            `The caller is not the owner (\`forbidden\`), ${INBOX}, or ${ARCHIVED}.`,
            ['forbidden', 'personal_project', 'project_archived'],
          ],
          [404, 'No such project visible to the caller, or the user is not a member of it.'],
          415,
          429,
        ),
      },
    }),
    async (c) => {
      const view = orProblem(
        await useCases.transferProject.execute({
          actor: actorOf(c),
          projectId: c.req.valid('param').project_id,
          userId: c.req.valid('json').user_id,
        }),
      );
      const { json, etag } = withEtag(view);
      return c.json(json, 200, { ETag: etag });
    },
  );

  return app;
}
