import { z } from '@hono/zod-openapi';
import { text } from '../../../../shared/http/openapi.ts';
import type { AdminProjectView, MemberView, ProjectView } from '../../application/ports.ts';
import { GRANTABLE_ROLES, PROJECT_ROLES } from '../../domain/project-role.ts';
import {
  PROJECT_COLOR_PATTERN,
  PROJECT_DESCRIPTION_MAX,
  PROJECT_NAME_MAX,
  PROJECT_NAME_MIN,
} from '../../domain/project.ts';
import { IF_MATCH_PATTERN } from './tasks-http.ts';

const ID = '0193a1f2-8b7c-7d4e-9f00-1a2b3c4d5e6f';
const TIME = '2026-11-22T10:00:00.000Z';
const id = () => z.uuid().openapi({ example: ID });
const time = () => z.iso.datetime().openapi({ example: TIME });

export const ProjectSchema = z
  .object({
    id: id(),
    name: z.string().openapi({ example: 'Launch' }),
    description: z.string().nullable(),
    color: z.string().nullable().openapi({ example: '#1E90FF' }),
    is_inbox: z.boolean().openapi({
      description:
        'The caller’s personal project: it cannot be renamed, shared, archived, transferred or deleted (403 `personal_project`).',
    }),
    archived_at: time()
      .nullable()
      .openapi({ description: 'Set while archived: the project and its tasks are read-only.' }),
    my_role: z.enum(PROJECT_ROLES).openapi({ description: 'The caller’s role in the project.' }),
    member_count: z.number().int().min(1),
    task_count: z.number().int().min(0).openapi({ description: 'Live (not deleted) tasks.' }),
    created_at: time(),
    updated_at: time(),
    version: z.number().int().openapi({
      example: 1,
      description:
        'Moves with the name, description, colour and archive state; send it back in PATCH (optimistic locking).',
    }),
  })
  .openapi('Project');

export const ProjectListSchema = z
  .object({
    items: z.array(ProjectSchema),
    next_cursor: z
      .string()
      .nullable()
      .openapi({ description: 'Pass as `cursor` for the next page; null at the end.' }),
  })
  .openapi('ProjectList');

export const MemberSchema = z
  .object({
    user_id: id(),
    email: z.string().openapi({ example: 'ada@example.com' }),
    full_name: z.string().openapi({ example: 'Ada Lovelace' }),
    role: z.enum(PROJECT_ROLES),
    joined_at: time(),
  })
  .openapi('Member');

export const MemberListSchema = z.object({ items: z.array(MemberSchema) }).openapi('MemberList');

export const AdminProjectSchema = z
  .object({
    id: id(),
    name: z.string(),
    is_inbox: z.boolean(),
    archived_at: time().nullable(),
    owner: z.object({ user_id: id(), email: z.string(), full_name: z.string() }),
    member_count: z.number().int().min(1),
    task_count: z.number().int().min(0),
    created_at: time(),
    updated_at: time(),
    version: z.number().int(),
  })
  .openapi('AdminProject');

export const AdminProjectListSchema = z
  .object({
    items: z.array(AdminProjectSchema),
    total: z.number().int(),
    page: z.number().int(),
    limit: z.number().int(),
  })
  .openapi('AdminProjectList');

const name = text({
  min: PROJECT_NAME_MIN,
  max: PROJECT_NAME_MAX,
  trim: true,
  singleLine: true,
}).openapi({
  description: `${PROJECT_NAME_MIN}–${PROJECT_NAME_MAX} characters after trimming, one line.`,
  example: 'Launch',
});
const description = text({ max: PROJECT_DESCRIPTION_MAX })
  .nullable()
  .openapi({ description: `At most ${PROJECT_DESCRIPTION_MAX} characters; \`null\` clears it.` });
const color = z
  .string()
  .regex(PROJECT_COLOR_PATTERN, 'must be a colour like #1A2B3C')
  .nullable()
  .openapi({ description: '`#RRGGBB`; `null` for none.', example: '#1E90FF' });

export const CreateProjectBody = z
  .object({ name, description: description.optional(), color: color.optional() })
  .openapi('CreateProjectRequest');
export const UpdateProjectBody = z
  .object({
    name: name.optional(),
    description: description.optional(),
    color: color.optional(),
    version: z.number().int().min(1).optional().openapi({
      description:
        'The `version` you read; required unless `If-Match` is sent. A stale one gets 409 `version_conflict`.',
    }),
  })
  .openapi('UpdateProjectRequest');
export const TransferBody = z
  .object({ user_id: z.uuid().openapi({ description: 'Another member of the project.' }) })
  .openapi('TransferProjectRequest');
export const RoleBody = z
  .object({
    role: z.enum(GRANTABLE_ROLES).openapi({
      description: 'Ownership moves only by transfer; no one gives a role above their own.',
    }),
  })
  .openapi('MemberRoleRequest');

export const ListProjectsQuery = z.object({
  archived: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true')
    .openapi({
      type: 'boolean',
      description: '`true` lists archived projects only; `false` (default) the others.',
    }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .max(500)
    .optional()
    .openapi({ description: '`next_cursor` of the previous page.' }),
});

export const AdminProjectsQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  q: z.string().trim().min(1).max(100).optional().openapi({
    description: 'Case-insensitive substring of the project’s name or its owner’s email.',
  }),
});

export const IfMatchHeader = z.object({
  'If-Match': z
    .string()
    .regex(IF_MATCH_PATTERN, 'must be * or one entity tag such as W/"3"')
    .optional()
    .openapi({
      param: { name: 'If-Match', in: 'header' },
      description:
        'The project’s `ETag` (or `*`, or `W/"<version>"`): the change applies only to that version, else 412 `precondition_failed`. Replaces the body’s `version`; only the version part is compared.',
      example: 'W/"3.9f86d081884c7d65"',
    }),
});
export const IfNoneMatchHeader = z.object({
  'If-None-Match': z
    .string()
    .optional()
    .openapi({
      param: { name: 'If-None-Match', in: 'header' },
      description:
        'ETags the caller holds; the current one (or `*`) gets 304 without a body. The tag changes with anything in the representation, counts and role included.',
      example: 'W/"3.9f86d081884c7d65"',
    }),
});

const pathId = (param: string) =>
  z.uuid().openapi({ param: { name: param, in: 'path' }, example: ID });
export const ProjectIdParam = z.object({ project_id: pathId('project_id') });
export const MemberParams = z.object({
  project_id: pathId('project_id'),
  user_id: pathId('user_id'),
});

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

export function toProjectJson(view: ProjectView): z.infer<typeof ProjectSchema> {
  const p = view.project.toProps();
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    color: p.color,
    is_inbox: p.inboxUserId !== null,
    archived_at: iso(p.archivedAt),
    my_role: view.role,
    member_count: view.memberCount,
    task_count: view.taskCount,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
    version: p.version,
  };
}

export function toMemberJson(member: MemberView): z.infer<typeof MemberSchema> {
  return {
    user_id: member.userId,
    email: member.email,
    full_name: member.fullName,
    role: member.role,
    joined_at: member.joinedAt.toISOString(),
  };
}

export function toAdminProjectJson(view: AdminProjectView): z.infer<typeof AdminProjectSchema> {
  const p = view.project.toProps();
  return {
    id: p.id,
    name: p.name,
    is_inbox: p.inboxUserId !== null,
    archived_at: iso(p.archivedAt),
    owner: { user_id: view.owner.userId, email: view.owner.email, full_name: view.owner.fullName },
    member_count: view.memberCount,
    task_count: view.taskCount,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
    version: p.version,
  };
}
