import { z } from '@hono/zod-openapi';
import { text } from '../../../../shared/http/openapi.ts';
import {
  ACCESS_TOKEN_DEFAULT_DAYS,
  ACCESS_TOKEN_MAX_DAYS,
  ACCESS_TOKEN_NAME_MAX,
  ACCESS_TOKEN_NAME_MIN,
  ACCESS_TOKEN_PREFIX,
  ACCESS_TOKEN_SCOPES,
  ACCESS_TOKEN_SHOWN_CHARS,
  LAST_USED_PRECISION_SECONDS,
  type AccessToken,
} from '../../domain/access-token.ts';

const EXAMPLE_ID = '0193a1f2-8b7c-7d4e-9f00-1a2b3c4d5e6f';
const EXAMPLE_TIME = '2026-11-22T10:00:00.000Z';

const scope = z.enum(ACCESS_TOKEN_SCOPES).openapi('AccessTokenScope', {
  description:
    '`tasks:read` (tasks, categories, comments, attachments), `tasks:write` (tasks and ' +
    'categories), `comments:write`, `attachments:write`, `notifications:read` (the inbox, ' +
    'marking read included), `projects:read`, `projects:write`, `webhooks:manage`.',
});

export const AccessTokenSchema = z
  .object({
    id: z.uuid().openapi({ example: EXAMPLE_ID }),
    name: z.string().openapi({ example: 'CI pipeline' }),
    scopes: z.array(scope).openapi({ example: ['tasks:read', 'tasks:write'] }),
    prefix: z.string().openapi({
      example: 'tmk_Qx7fR2aL',
      description: `The first ${ACCESS_TOKEN_SHOWN_CHARS} characters of the token, to tell tokens apart.`,
    }),
    created_at: z.iso.datetime().openapi({ example: EXAMPLE_TIME }),
    last_used_at: z.iso
      .datetime()
      .nullable()
      .openapi({
        example: EXAMPLE_TIME,
        description: `When the token was last used, to within ${LAST_USED_PRECISION_SECONDS} seconds; null if never.`,
      }),
    expires_at: z.iso.datetime().openapi({ example: '2027-02-20T10:00:00.000Z' }),
  })
  .openapi('AccessToken');

export const CreatedAccessTokenSchema = AccessTokenSchema.extend({
  token: z.string().openapi({
    example: `${ACCESS_TOKEN_PREFIX}Qx7fR2aLw0c9vJ1eT5yUiOp3sDfGhJkLzXcVbNm4Q8`,
    description:
      'The secret: send it as `Authorization: Bearer <token>`. Shown only in this answer; ' +
      'store it now.',
  }),
}).openapi('CreatedAccessToken');

export const AccessTokenListSchema = z
  .object({ items: z.array(AccessTokenSchema) })
  .openapi('AccessTokenList');

export const CreateAccessTokenBody = z
  .object({
    name: text({
      min: ACCESS_TOKEN_NAME_MIN,
      max: ACCESS_TOKEN_NAME_MAX,
      trim: true,
      singleLine: true,
    }).openapi({
      description: `${ACCESS_TOKEN_NAME_MIN}–${ACCESS_TOKEN_NAME_MAX} characters after trimming, no control characters.`,
      example: 'CI pipeline',
    }),
    scopes: z
      .array(scope)
      .min(1)
      .max(ACCESS_TOKEN_SCOPES.length)
      .openapi({ description: 'At least one scope; a repeated one counts once.' }),
    expires_at: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({
        example: '2027-02-20T10:00:00.000Z',
        description:
          `In the future and at most ${ACCESS_TOKEN_MAX_DAYS} days from now; ` +
          `${ACCESS_TOKEN_DEFAULT_DAYS} days from now when absent.`,
      }),
  })
  .openapi('CreateAccessTokenRequest');

export const TokenIdParam = z.object({
  token_id: z.uuid().openapi({ param: { name: 'token_id', in: 'path' }, example: EXAMPLE_ID }),
});

export function toAccessTokenJson(token: AccessToken): z.infer<typeof AccessTokenSchema> {
  return {
    id: token.id,
    name: token.name,
    scopes: [...token.scopes],
    prefix: token.prefix,
    created_at: token.createdAt.toISOString(),
    last_used_at: token.lastUsedAt?.toISOString() ?? null,
    expires_at: token.expiresAt.toISOString(),
  };
}
