import { z } from '@hono/zod-openapi';
import { text } from '../../../../shared/http/openapi.ts';
import { TASK_SCOPES, TASK_SORTS } from '../../application/support/task-sort.ts';
import type { TaskView } from '../../application/ports.ts';
import type { Attachment } from '../../domain/attachment.ts';
import {
  CATEGORY_COLOR_PATTERN,
  CATEGORY_NAME_MAX,
  CATEGORY_NAME_MIN,
  type Category,
} from '../../domain/category.ts';
import { COMMENT_MAX, COMMENT_MIN, type Comment } from '../../domain/comment.ts';
import {
  DESCRIPTION_MAX,
  isStorableTime,
  TASK_PRIORITIES,
  TASK_STATUSES,
  TITLE_MAX,
  TITLE_MIN,
} from '../../domain/task-fields.ts';

const ID = '0193a1f2-8b7c-7d4e-9f00-1a2b3c4d5e6f';
const TIME = '2026-11-22T10:00:00.000Z';
const id = () => z.uuid().openapi({ example: ID });
const time = () => z.iso.datetime().openapi({ example: TIME });
/** Input times: RFC 3339 with an offset, turned into a `Date`. */
const inputTime = (description: string) =>
  z.iso
    .datetime({ offset: true })
    .transform((value) => new Date(value))
    .refine(isStorableTime, 'must be between the years 1 and 9999 (UTC)')
    .openapi({ type: 'string', format: 'date-time', example: '2026-12-01T09:00:00Z', description });
/** An input time that `null` clears (PATCH); the metadata keeps the `null` the override would hide. */
const clearableInputTime = (description: string) =>
  inputTime(description)
    .nullable()
    .openapi({ type: ['string', 'null'], description: `${description} \`null\` clears it.` });
const title = text({ min: TITLE_MIN, max: TITLE_MAX, trim: true, singleLine: true }).openapi({
  description: `${TITLE_MIN}–${TITLE_MAX} characters after trimming, one line (no control characters).`,
  example: 'Write the report',
});
const description = text({ max: DESCRIPTION_MAX })
  .nullable()
  .openapi({ description: `At most ${DESCRIPTION_MAX} characters; \`null\` clears it.` });

export const CategorySchema = z
  .object({
    id: id(),
    user_id: id(),
    name: z.string().openapi({ example: 'Work' }),
    color: z.string().nullable().openapi({ example: '#1E90FF' }),
    created_at: time(),
  })
  .openapi('Category');

export const TaskSchema = z
  .object({
    id: id(),
    project_id: id().openapi({
      description:
        'The project the task belongs to: the creator’s Inbox unless it was created in or moved to another.',
    }),
    owner_id: id().openapi({ description: 'Who created the task.' }),
    assignee_id: id().nullable(),
    title: z.string().openapi({ example: 'Write the report' }),
    description: z.string().nullable(),
    status: z.enum(TASK_STATUSES),
    priority: z.enum(TASK_PRIORITIES),
    due_date: time().nullable(),
    remind_at: time().nullable(),
    categories: z.array(CategorySchema),
    attachment_count: z.number().int(),
    comment_count: z.number().int(),
    created_at: time(),
    updated_at: time(),
    completed_at: time().nullable(),
    version: z
      .number()
      .int()
      .openapi({ example: 1, description: 'Send it back in PATCH (optimistic locking).' }),
  })
  .openapi('Task');

export const TaskListSchema = z
  .object({
    items: z.array(TaskSchema),
    total: z.number().int().nullable().openapi({
      description: 'Every match, on every page; null when the request sent `include_total=false`.',
    }),
    page: z.number().int(),
    limit: z.number().int(),
    next_cursor: z
      .string()
      .nullable()
      .openapi({ description: 'Pass as `cursor` for the next page; null at the end.' }),
  })
  .openapi('TaskList');

export const CommentSchema = z
  .object({
    id: id(),
    task_id: id(),
    author_id: id(),
    body: z.string(),
    created_at: time(),
    updated_at: time(),
  })
  .openapi('Comment');

export const CommentListSchema = z
  .object({
    items: z.array(CommentSchema),
    total: z.number().int(),
    page: z.number().int(),
    limit: z.number().int(),
  })
  .openapi('CommentList');

export const AttachmentSchema = z
  .object({
    id: id(),
    task_id: id(),
    filename: z.string().openapi({ example: 'report.pdf' }),
    content_type: z.string().openapi({ example: 'application/pdf' }),
    size_bytes: z.number().int(),
    sha256: z
      .string()
      .openapi({ example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }),
    uploaded_by: id(),
    created_at: time(),
  })
  .openapi('Attachment');

export const AttachmentListSchema = z
  .object({ items: z.array(AttachmentSchema) })
  .openapi('AttachmentList');
export const CategoryListSchema = z
  .object({ items: z.array(CategorySchema) })
  .openapi('CategoryList');

const taskFields = {
  description: description.optional(),
  due_date: clearableInputTime('In the future when set or changed.').optional(),
  remind_at: clearableInputTime('In the future and before `due_date`.').optional(),
  priority: z.enum(TASK_PRIORITIES).optional(),
  status: z.enum(TASK_STATUSES).optional(),
  category_ids: z
    .array(z.uuid())
    .max(50)
    .optional()
    .openapi({ description: 'Your own categories.' }),
  assignee_id: z.uuid().nullable().optional().openapi({
    description:
      'An active user with a verified email; in a shared project, a member of it (else 404). In an Inbox anyone such may be assigned.',
  }),
};

export const CreateTaskBody = z
  .object({
    title,
    project_id: z.uuid().optional().openapi({
      description:
        'A project where you are `editor` or above; your Inbox when absent. Unknown, or not a member: 404; too low a role: 403 `forbidden`; archived: 403 `project_archived`.',
    }),
    ...taskFields,
  })
  .openapi('CreateTaskRequest');
export const UpdateTaskBody = z
  .object({
    title: title.optional(),
    project_id: z.uuid().optional().openapi({
      description:
        'Moves the task: `editor` or above in both projects (not a member of the target: 404). The categories stay; an assignee who is not a member of the target gets 409 `assignee_not_member` unless the same request unassigns the task or assigns a member.',
    }),
    ...taskFields,
    version: z.number().int().min(1).optional().openapi({
      description:
        'The `version` you read; required unless `If-Match` is sent. A stale one gets 409 `version_conflict`.',
    }),
  })
  .openapi('UpdateTaskRequest');
export const AssigneeBody = z.object({ assignee_id: z.uuid() }).openapi('AssigneeRequest');

const page = z.coerce.number().int().min(1).max(100_000).default(1);
const limit = z.coerce.number().int().min(1).max(100).default(20);

export const ListTasksQuery = z.object({
  page,
  limit,
  status: z.enum(TASK_STATUSES).optional(),
  priority: z.enum(TASK_PRIORITIES).optional(),
  due_from: inputTime('Due on or after.').optional(),
  due_to: inputTime('Due on or before.').optional(),
  project_id: z.uuid().optional().openapi({
    description:
      "Only tasks of this project: all of them for a member; in another user's Inbox, those assigned to the caller; else none (a shared project the caller is not a member of, or an unknown project, lists empty).",
  }),
  category_id: z.uuid().optional(),
  assignee_id: z.uuid().optional(),
  scope: z.enum(TASK_SCOPES).default('all').openapi({
    description:
      "`all`: every task the caller sees, exactly those GET /tasks/{task_id} answers (the tasks of the live projects they are a member of, and the tasks assigned to them in another user's Inbox; an assignment in a shared project they are not a member of shows nothing); `owned`: of those, the ones they created; `assigned`: of those, the ones assigned to them. Soft-deleted tasks and tasks of deleted projects are never listed.",
  }),
  q: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .openapi({ description: 'Substring of title or description.' }),
  sort: z.enum(TASK_SORTS).default('-created_at'),
  cursor: z.string().max(500).optional().openapi({
    description: '`next_cursor` of the previous page (keyset paging; `page` is then ignored).',
  }),
  include_total: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true')
    .openapi({
      type: 'boolean',
      description:
        '`false` leaves `total` null and spares counting every match: for clients that page by ' +
        '`next_cursor` and need no count (the count costs more than the page for long lists).',
    }),
});

export const PageQuery = z.object({ page, limit });

const categoryName = text({
  min: CATEGORY_NAME_MIN,
  max: CATEGORY_NAME_MAX,
  trim: true,
  singleLine: true,
}).openapi({
  description: `${CATEGORY_NAME_MIN}–${CATEGORY_NAME_MAX} characters after trimming, one line, unique per user (case-insensitive).`,
  example: 'Work',
});
const color = z
  .string()
  .regex(CATEGORY_COLOR_PATTERN, 'must be a colour like #1A2B3C')
  .nullable()
  .openapi({ description: '`#RRGGBB`; `null` for none.', example: '#1E90FF' });
export const CreateCategoryBody = z
  .object({ name: categoryName, color: color.optional() })
  .openapi('CreateCategoryRequest');
export const UpdateCategoryBody = z
  .object({ name: categoryName.optional(), color: color.optional() })
  .openapi('UpdateCategoryRequest');
export const CommentBody = z
  .object({
    body: text({ min: COMMENT_MIN, max: COMMENT_MAX, notBlank: true }).openapi({
      description: `${COMMENT_MIN}–${COMMENT_MAX} characters, not only whitespace; kept as written.`,
    }),
  })
  .openapi('CommentRequest');

const pathId = (name: string) => z.uuid().openapi({ param: { name, in: 'path' }, example: ID });
export const TaskIdParam = z.object({ task_id: pathId('task_id') });
export const TaskCategoryParams = z.object({
  task_id: pathId('task_id'),
  category_id: pathId('category_id'),
});
export const CategoryIdParam = z.object({ category_id: pathId('category_id') });
export const CommentParams = z.object({
  task_id: pathId('task_id'),
  comment_id: pathId('comment_id'),
});
export const AttachmentParams = z.object({
  task_id: pathId('task_id'),
  attachment_id: pathId('attachment_id'),
});

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

export function toCategoryJson(category: Category): z.infer<typeof CategorySchema> {
  const c = category.toProps();
  return {
    id: c.id,
    user_id: c.userId,
    name: c.name,
    color: c.color,
    created_at: c.createdAt.toISOString(),
  };
}

export function toTaskJson(view: TaskView): z.infer<typeof TaskSchema> {
  const t = view.task.toProps();
  return {
    id: t.id,
    project_id: t.projectId,
    owner_id: t.ownerId,
    assignee_id: t.assigneeId,
    title: t.title,
    description: t.description,
    status: t.status,
    priority: t.priority,
    due_date: iso(t.dueDate),
    remind_at: iso(t.remindAt),
    categories: view.categories.map(toCategoryJson),
    attachment_count: view.attachmentCount,
    comment_count: view.commentCount,
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
    completed_at: iso(t.completedAt),
    version: t.version,
  };
}

export function toCommentJson(comment: Comment): z.infer<typeof CommentSchema> {
  const c = comment.toProps();
  return {
    id: c.id,
    task_id: c.taskId,
    author_id: c.authorId,
    body: c.body,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}

export function toAttachmentJson(a: Attachment): z.infer<typeof AttachmentSchema> {
  return {
    id: a.id,
    task_id: a.taskId,
    filename: a.filename,
    content_type: a.contentType,
    size_bytes: a.sizeBytes,
    sha256: a.sha256,
    uploaded_by: a.uploadedBy,
    created_at: a.createdAt.toISOString(),
  };
}
