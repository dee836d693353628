import { createRoute } from '@hono/zod-openapi';
import { sessionOf, type AuthEnv } from '../../../../shared/http/bearer-auth.ts';
import type { Clock } from '../../../../shared/domain/clock.ts';
import { checkFields, createRouter, type FieldCheck } from '../../../../shared/http/create-app.ts';
import {
  BEARER_SECURITY,
  errorResponses,
  jsonBody,
  jsonResponse,
} from '../../../../shared/http/openapi.ts';
import { valueOr } from '../../../../shared/http/problem.ts';
import { ACCESS_TOKENS_PER_USER, accessTokenExpiryError } from '../../domain/access-token.ts';
import {
  AccessTokenListSchema,
  CreateAccessTokenBody,
  CreatedAccessTokenSchema,
  TokenIdParam,
  toAccessTokenJson,
} from './access-tokens.schemas.ts';
import { NO_STORE, type IdentityHttpOptions } from './identity-http.ts';
import { identityProblem } from './identity.problems.ts';

const tags = ['Access tokens'];

/**
 * The expiry's rule, which needs the clock, judged with the schema's errors so that one 400 names
 * every field at fault (the use case judges a body that passed the schema).
 */
function expiryCheck(clock: Clock): FieldCheck<AuthEnv> {
  return (body) => {
    if (typeof body.expires_at !== 'string') return [];
    const expiresAt = new Date(body.expires_at);
    if (Number.isNaN(expiresAt.getTime())) return [];
    const message = accessTokenExpiryError(expiresAt, clock.now());
    return message === undefined ? [] : [{ field: 'expires_at', message }];
  };
}

/** The caller's personal access tokens: `/tokens`, for signed-in sessions only. */
export function tokensRoutes({
  useCases,
  requireAuth,
  clock,
}: Pick<IdentityHttpOptions, 'useCases' | 'requireAuth'> & { clock: Clock }) {
  const app = createRouter<AuthEnv>();
  const authed = { middleware: requireAuth, security: BEARER_SECURITY };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tokens',
      operationId: 'createAccessToken',
      tags,
      ...authed,
      summary: 'Create a personal access token',
      description:
        'The answer carries the secret `token`, which is never shown again. The token may call ' +
        'the operations its scopes allow, as the caller.',
      request: { body: jsonBody(CreateAccessTokenBody) },
      responses: {
        201: jsonResponse('The token, with its secret', CreatedAccessTokenSchema, {
          'Cache-Control': {
            description: 'The answer holds a secret: `no-store`.',
            required: true,
            schema: { type: 'string', example: 'no-store' },
          },
        }),
        ...errorResponses(
          [400, 'Invalid `name` or `scopes`, or `expires_at` in the past or too far ahead.'],
          401,
          [
            409,
            `The caller holds ${ACCESS_TOKENS_PER_USER} live tokens already (\`token_limit_reached\`).`,
            ['token_limit_reached'],
          ],
          415,
          429,
        ),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const created = valueOr(
        await useCases.createAccessToken.execute({
          principal: sessionOf(c),
          name: body.name,
          scopes: body.scopes,
          expiresAt: body.expires_at === undefined ? undefined : new Date(body.expires_at),
        }),
        (error) => identityProblem(error),
      );
      return c.json({ ...toAccessTokenJson(created.token), token: created.secret }, 201, NO_STORE);
    },
    checkFields(expiryCheck(clock)),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/tokens',
      operationId: 'listAccessTokens',
      tags,
      ...authed,
      summary: 'The caller’s access tokens',
      description: 'Tokens not revoked, expired ones included, newest first; never their secrets.',
      responses: {
        200: jsonResponse('The tokens', AccessTokenListSchema),
        ...errorResponses(401, 429),
      },
    }),
    async (c) => {
      const { items } = valueOr(
        await useCases.listAccessTokens.execute({ principal: sessionOf(c) }),
        (error) => identityProblem(error),
      );
      return c.json({ items: items.map(toAccessTokenJson) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/tokens/{token_id}',
      operationId: 'revokeAccessToken',
      tags,
      ...authed,
      summary: 'Revoke one of the caller’s access tokens',
      description:
        'Refused from the next request on. Another user’s token, an unknown or a revoked one is not found.',
      request: { params: TokenIdParam },
      responses: {
        204: { description: 'Token revoked' },
        ...errorResponses(400, 401, 404, 429),
      },
    }),
    async (c) => {
      valueOr(
        await useCases.revokeAccessToken.execute({
          principal: sessionOf(c),
          tokenId: c.req.valid('param').token_id,
        }),
        (error) => identityProblem(error),
      );
      return c.body(null, 204);
    },
  );

  return app;
}
