import { z } from '@hono/zod-openapi';
import { text } from '../../../../shared/http/openapi.ts';
import { EMAIL_MAX, EMAIL_PATTERN } from '../../domain/email.ts';
import { PASSWORD_MAX, PASSWORD_MIN } from '../../domain/password-policy.ts';
import { ROLES } from '../../domain/role.ts';
import { FULL_NAME_MAX, FULL_NAME_MIN } from '../../domain/user.ts';
import type { Profile } from '../../application/get-profile.ts';
import type { SessionView } from '../../application/list-sessions.ts';
import type { User } from '../../domain/user.ts';

const EXAMPLE_ID = '0193a1f2-8b7c-7d4e-9f00-1a2b3c4d5e6f';
const EXAMPLE_TIME = '2026-11-22T10:00:00.000Z';
/** Far above the policy's 128 characters: a guard against huge bodies, not the policy itself. */
const PASSWORD_INPUT_MAX = 1024;

const email = z
  .string()
  .trim()
  .max(EMAIL_MAX)
  .regex(EMAIL_PATTERN, 'must be a valid email address')
  .openapi({
    format: 'email',
    example: 'ada@example.com',
    description: 'Compared trimmed and case-insensitively.',
  });
const password = (description: string) =>
  text({ min: PASSWORD_MIN, max: PASSWORD_MAX, normalize: 'NFC' }).openapi({
    description: `${description} ${PASSWORD_MIN}–${PASSWORD_MAX} characters (Unicode code points, NFC), no composition rules; a common password or one equal to the email is refused with \`weak_password\`.`,
    example: 'correct horse battery staple',
  });
const fullName = text({
  min: FULL_NAME_MIN,
  max: FULL_NAME_MAX,
  trim: true,
  singleLine: true,
}).openapi({
  description: `${FULL_NAME_MIN}–${FULL_NAME_MAX} characters after trimming, no control characters.`,
  example: 'Ada Lovelace',
});
const opaqueToken = z.string().min(1).max(512);

export const UserSchema = z
  .object({
    id: z.uuid().openapi({ example: EXAMPLE_ID }),
    email: z.string().openapi({ example: 'ada@example.com' }),
    full_name: z.string().openapi({ example: 'Ada Lovelace' }),
    role: z.enum(ROLES),
    email_verified: z.boolean(),
    is_active: z.boolean(),
    created_at: z.iso.datetime().openapi({ example: EXAMPLE_TIME }),
    updated_at: z.iso.datetime().openapi({ example: EXAMPLE_TIME }),
  })
  .openapi('User');

export const MeSchema = UserSchema.extend({
  storage: z
    .object({
      used_bytes: z.number().int().openapi({
        example: 5242880,
        description:
          'Bytes of the attachments you uploaded, on deleted tasks too until they are purged.',
      }),
      quota_bytes: z.number().int().openapi({
        example: 1073741824,
        description: 'What your attachments may take in all (`STORAGE_QUOTA_BYTES`).',
      }),
    })
    .openapi({ description: 'Your attachment storage.' }),
}).openapi('Me');

export const TokenPairSchema = z
  .object({
    access_token: z.string().openapi({ example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6ImF0K2p3dCJ9...' }),
    refresh_token: z.string().openapi({ example: 'q8Xr0bV3mKcYwz7Qe1sHn4uJt6pLa2dFg9iOy5ZkRcE' }),
    token_type: z.literal('Bearer'),
    expires_in: z
      .number()
      .int()
      .openapi({ example: 1800, description: 'Access-token lifetime in seconds.' }),
  })
  .openapi('TokenPair');

export const AuthResultSchema = TokenPairSchema.extend({ user: UserSchema }).openapi('AuthResult');

const SessionSchema = z
  .object({
    id: z.uuid().openapi({ example: EXAMPLE_ID }),
    created_at: z.iso.datetime().openapi({ example: EXAMPLE_TIME }),
    last_used_at: z.iso
      .datetime()
      .openapi({ example: EXAMPLE_TIME, description: 'Last login or refresh.' }),
    expires_at: z.iso.datetime().openapi({ example: '2026-12-22T10:00:00.000Z' }),
    user_agent: z.string().nullable().openapi({ example: 'Mozilla/5.0' }),
    ip: z.string().nullable().openapi({ example: '203.0.113.7' }),
    current: z.boolean().openapi({ description: 'The session of the token making this request.' }),
  })
  .openapi('Session');

export const SessionListSchema = z.object({ items: z.array(SessionSchema) }).openapi('SessionList');

export const UserListSchema = z
  .object({
    items: z.array(UserSchema),
    total: z.number().int().openapi({ example: 1 }),
    page: z.number().int().openapi({ example: 1 }),
    limit: z.number().int().openapi({ example: 20 }),
  })
  .openapi('UserList');

export const RegisterBody = z
  .object({ email, password: password('The new password.'), full_name: fullName })
  .openapi('RegisterRequest');
export const LoginBody = z
  .object({
    email,
    password: z
      .string()
      .min(1)
      .max(PASSWORD_INPUT_MAX)
      .openapi({ example: 'correct horse battery staple' }),
  })
  .openapi('LoginRequest');
export const RefreshBody = z.object({ refresh_token: opaqueToken }).openapi('RefreshRequest');
export const TokenBody = z
  .object({ token: opaqueToken.openapi({ description: 'The token from the link in the mail.' }) })
  .openapi('TokenRequest');
export const ForgotPasswordBody = z.object({ email }).openapi('ForgotPasswordRequest');
export const ResetPasswordBody = z
  .object({ token: opaqueToken, password: password('The new password.') })
  .openapi('ResetPasswordRequest');
export const ChangePasswordBody = z
  .object({
    current_password: z.string().min(1).max(PASSWORD_INPUT_MAX),
    new_password: password('The new password.'),
  })
  .openapi('ChangePasswordRequest');
export const UpdateMeBody = z.object({ full_name: fullName }).openapi('UpdateMeRequest');
export const AdminUpdateUserBody = z
  .object({ role: z.enum(ROLES).optional(), is_active: z.boolean().optional() })
  .refine((body) => body.role !== undefined || body.is_active !== undefined, {
    message: 'Give `role` and/or `is_active`.',
    path: ['body'],
  })
  .openapi('AdminUpdateUserRequest');

const PageQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1).openapi({ example: 1 }),
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ example: 20 }),
});
export const AdminUsersQuery = PageQuery.extend({
  q: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .openapi({ description: 'Substring of email or full name.' }),
});

export const SessionIdParam = z.object({
  session_id: z.uuid().openapi({ param: { name: 'session_id', in: 'path' }, example: EXAMPLE_ID }),
});
export const UserIdParam = z.object({
  user_id: z.uuid().openapi({ param: { name: 'user_id', in: 'path' }, example: EXAMPLE_ID }),
});

export function toMeJson(profile: Profile): z.infer<typeof MeSchema> {
  return {
    ...toUserJson(profile.user),
    storage: {
      used_bytes: profile.storage.usedBytes,
      quota_bytes: profile.storage.quotaBytes,
    },
  };
}

export function toUserJson(user: User): z.infer<typeof UserSchema> {
  return {
    id: user.id,
    email: user.email,
    full_name: user.fullName,
    role: user.role,
    email_verified: user.emailVerified,
    is_active: user.isActive,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
  };
}

export function toTokenPairJson(tokens: {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}) {
  return {
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    token_type: 'Bearer' as const,
    expires_in: tokens.expiresIn,
  };
}

export function toSessionJson(session: SessionView): z.infer<typeof SessionSchema> {
  return {
    id: session.id,
    created_at: session.createdAt.toISOString(),
    last_used_at: session.lastUsedAt.toISOString(),
    expires_at: session.expiresAt.toISOString(),
    user_agent: session.userAgent ?? null,
    ip: session.ip ?? null,
    current: session.current,
  };
}
