import { createRoute } from '@hono/zod-openapi';
import type { AuthEnv } from '../../../../shared/http/bearer-auth.ts';
import { createRouter } from '../../../../shared/http/create-app.ts';
import {
  BEARER_SECURITY,
  errorResponses,
  headersDoc,
  jsonResponse,
  LOCATION_HEADER,
} from '../../../../shared/http/openapi.ts';
import { ProblemError } from '../../../../shared/http/problem.ts';
import { ATTACHMENT_MAX_BYTES } from '../../domain/attachment.ts';
import { STORED_CONTENT_TYPES } from '../storage/content-sniffing.ts';
import { fileDownloadResponse } from './file-download.ts';
import {
  MULTIPART_OVERHEAD_BYTES,
  readSingleFile,
  singleFileRequestBody,
} from './multipart-upload.ts';
import { actorOf, orProblem, WRITE_REFUSED, type TasksHttpOptions } from './tasks-http.ts';
import { taskProblem } from './tasks.problems.ts';
import {
  AttachmentListSchema,
  AttachmentParams,
  AttachmentSchema,
  TaskIdParam,
  toAttachmentJson,
} from './tasks.schemas.ts';

export function attachmentsRoutes({ useCases, requireAuth }: TasksHttpOptions) {
  const app = createRouter<AuthEnv>();
  const authed = { middleware: requireAuth, security: BEARER_SECURITY };
  const tags = ['Attachments'];

  app.openapi(
    createRoute({
      ...authed,
      method: 'post',
      path: '/tasks/{task_id}/attachments',
      operationId: 'uploadAttachment',
      tags,
      summary: 'Upload a file (≤ 10 MiB) to a task (editor or above, or the Inbox assignee)',
      description:
        'The stored content type comes from the bytes; a declared type that contradicts them gets 415. The limit holds while streaming, with or without `Content-Length`.',
      request: { params: TaskIdParam, body: singleFileRequestBody },
      responses: {
        201: jsonResponse('The attachment', AttachmentSchema, LOCATION_HEADER),
        ...errorResponses(
          400,
          401,
          WRITE_REFUSED,
          404,
          [
            413,
            'The file is larger than 10 MiB (`payload_too_large`), or it would take your attachments past your storage quota (`storage_quota_exceeded`, with `quota_bytes` and `used_bytes`). A `Content-Length` beyond what is left of the quota plus the multipart allowance is refused before the body is read.',
            ['payload_too_large', 'storage_quota_exceeded'],
          ],
          415,
          429,
        ),
      },
    }),
    async (c) => {
      const upload = await readSingleFile(c.req.raw, { maxBytes: ATTACHMENT_MAX_BYTES });
      const result = await useCases.uploadAttachment.execute({
        actor: actorOf(c),
        taskId: c.req.valid('param').task_id,
        filename: upload.filename,
        contentType: upload.declaredContentType,
        ...minSizeOf(c.req.raw.headers),
        body: upload.stream,
      });
      if (result.isErr()) {
        // Refused with the body partly unread: stop reading it, and end the connection, since a
        // keep-alive client would send its next request into the rest of this body.
        await upload.stream.cancel().catch(() => undefined);
        const init = taskProblem(result.error);
        throw new ProblemError({ ...init, headers: { ...init.headers, Connection: 'close' } });
      }
      return c.json(toAttachmentJson(result.value), 201, {
        Location: `/api/v1/tasks/${result.value.taskId}/attachments/${result.value.id}`,
      });
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'get',
      path: '/tasks/{task_id}/attachments',
      operationId: 'listAttachments',
      tags,
      summary: 'A task’s attachments, oldest first',
      description: 'Metadata only; the bytes come from the `content` link of each.',
      request: { params: TaskIdParam },
      responses: {
        200: jsonResponse('Attachments', AttachmentListSchema),
        ...errorResponses(400, 401, 404, 429),
      },
    }),
    async (c) => {
      const out = orProblem(
        await useCases.listAttachments.execute({
          actor: actorOf(c),
          taskId: c.req.valid('param').task_id,
        }),
      );
      return c.json({ items: out.items.map(toAttachmentJson) }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'get',
      path: '/tasks/{task_id}/attachments/{attachment_id}/content',
      operationId: 'downloadAttachment',
      tags,
      summary: 'Download an attachment’s bytes',
      description:
        'Served with the type the bytes were recognised as at upload (never the one the uploader declared), always as a download.',
      request: { params: AttachmentParams },
      responses: {
        200: {
          description:
            'The bytes, with the stored `Content-Type` and `Content-Disposition: attachment`',
          content: Object.fromEntries(
            STORED_CONTENT_TYPES.map((type) => [
              type,
              { schema: { type: 'string' as const, format: 'binary' } },
            ]),
          ),
          headers: headersDoc({
            'Content-Disposition': {
              description:
                '`attachment; filename="<ASCII fallback>"; filename*=UTF-8\'\'<percent-encoded name>` (RFC 6266).',
              required: true,
              schema: { type: 'string', example: 'attachment; filename="report.pdf"' },
            },
            'Content-Length': {
              description: 'The size in bytes.',
              required: true,
              schema: { type: 'integer' },
            },
          }),
        },
        ...errorResponses(400, 401, 404, 429),
      },
    }),
    async (c) => {
      const { task_id, attachment_id } = c.req.valid('param');
      const file = orProblem(
        await useCases.downloadAttachment.execute({
          actor: actorOf(c),
          taskId: task_id,
          attachmentId: attachment_id,
        }),
      );
      return fileDownloadResponse({
        body: file.body,
        sizeBytes: file.sizeBytes,
        contentType: file.attachment.contentType,
        filename: file.attachment.filename,
      });
    },
  );

  app.openapi(
    createRoute({
      ...authed,
      method: 'delete',
      path: '/tasks/{task_id}/attachments/{attachment_id}',
      operationId: 'deleteAttachment',
      tags,
      summary: 'Delete an attachment (uploader, or editor or above)',
      description:
        'The uploader may delete an attachment, and so may an `editor` or above of the task’s project (in an Inbox, its owner).',
      request: { params: AttachmentParams },
      responses: {
        204: { description: 'Deleted' },
        ...errorResponses(400, 401, WRITE_REFUSED, 404, 429),
      },
    }),
    async (c) => {
      const { task_id, attachment_id } = c.req.valid('param');
      orProblem(
        await useCases.deleteAttachment.execute({
          actor: actorOf(c),
          taskId: task_id,
          attachmentId: attachment_id,
        }),
      );
      return c.body(null, 204);
    },
  );
  return app;
}

/** The file is at least the declared body less the multipart allowance (boundaries, fields). */
function minSizeOf(headers: Headers): { minSizeBytes?: number } {
  const declared = Number(headers.get('content-length') ?? Number.NaN);
  return Number.isSafeInteger(declared)
    ? { minSizeBytes: Math.max(0, declared - MULTIPART_OVERHEAD_BYTES) }
    : {};
}
