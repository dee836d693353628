import { createRoute } from '@hono/zod-openapi';
import { sessionOf, type AuthEnv } from '../../../../shared/http/bearer-auth.ts';
import {
  checkFields,
  createRouter,
  type FieldCheck,
  type FieldCheckOptions,
} from '../../../../shared/http/create-app.ts';
import {
  BEARER_SECURITY,
  errorResponses,
  PASSWORD_HASHING_BUSY,
  jsonBody,
  jsonResponse,
} from '../../../../shared/http/openapi.ts';
import { valueOr } from '../../../../shared/http/problem.ts';
import { authResultJson, NO_STORE, type IdentityHttpOptions } from './identity-http.ts';
import { normaliseEmail } from '../../domain/email.ts';
import { checkPassword, type CommonPasswordList } from '../../domain/password-policy.ts';
import { identityProblem, weakPasswordError, weakPasswordProblem } from './identity.problems.ts';
import {
  AuthResultSchema,
  ChangePasswordBody,
  ForgotPasswordBody,
  LoginBody,
  RefreshBody,
  RegisterBody,
  ResetPasswordBody,
  TokenBody,
  TokenPairSchema,
  toTokenPairJson,
  toUserJson,
  UserSchema,
} from './identity.schemas.ts';

const tags = ['Auth'];
const noContent = (description: string) => ({ 204: { description } });
const accepted = (description: string) => ({ 202: { description } });

/**
 * The password policy's verdict on a body the schema refused, so that a weak password is named in
 * the same 400 as the other fields (the use case judges a body that passed the schema); a
 * password refused alone, by its length or the block list, is `weak_password`.
 */
function passwordPolicy(
  commonPasswords: CommonPasswordList,
  field: 'password' | 'new_password',
): [FieldCheck<AuthEnv>, FieldCheckOptions] {
  const check: FieldCheck<AuthEnv> = (body) => {
    const password = body[field];
    if (typeof password !== 'string') return [];
    const email = typeof body.email === 'string' ? normaliseEmail(body.email) : '';
    const verdict = checkPassword(password, { email, commonPasswords });
    return verdict.isErr() ? [weakPasswordError(verdict.error, field)] : [];
  };
  return [check, { alone: { field, problem: weakPasswordProblem } }];
}

export function authRoutes({
  useCases,
  requireAuth,
  clientIp,
  commonPasswords,
  detach,
}: IdentityHttpOptions) {
  const app = createRouter<AuthEnv>();
  const authed = { middleware: requireAuth, security: BEARER_SECURITY };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/register',
      operationId: 'register',
      tags,
      security: [],
      summary: 'Create an account; sends a verification mail and signs in',
      description:
        'Every field is judged before a refusal: one 400 names each offending field, a password the policy refuses included (`weak_password` when it is the only problem).',
      request: { body: jsonBody(RegisterBody) },
      responses: {
        201: jsonResponse('Account created and signed in', AuthResultSchema),
        ...errorResponses(
          [400, 'Malformed fields, or a weak password.', ['validation_failed', 'weak_password']],
          [409, 'The email is already registered (`email_taken`).', ['email_taken']],
          415,
          429,
          PASSWORD_HASHING_BUSY,
        ),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const out = valueOr(
        await useCases.registerUser.execute({
          email: body.email,
          password: body.password,
          fullName: body.full_name,
          userAgent: c.req.header('user-agent'),
          ip: clientIp(c),
        }),
        (error) => identityProblem(error),
      );
      return c.json(authResultJson(out), 201, NO_STORE);
    },
    checkFields(...passwordPolicy(commonPasswords, 'password')),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/login',
      operationId: 'logIn',
      tags,
      security: [],
      summary: 'Sign in with email and password',
      description:
        'Unknown email and wrong password get the same answer. Five consecutive failures lock the account for 15 minutes.',
      request: { body: jsonBody(LoginBody) },
      responses: {
        200: jsonResponse('Signed in', AuthResultSchema),
        ...errorResponses(
          400,
          [
            401,
            'Unknown email or wrong password (`invalid_credentials`).',
            ['invalid_credentials'],
          ],
          [403, 'The account is disabled (`account_disabled`).', ['account_disabled']],
          415,
          423,
          429,
          PASSWORD_HASHING_BUSY,
        ),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const out = valueOr(
        await useCases.logIn.execute({
          email: body.email,
          password: body.password,
          userAgent: c.req.header('user-agent'),
          ip: clientIp(c),
        }),
        (error) => identityProblem(error),
      );
      return c.json(authResultJson(out), 200, NO_STORE);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/refresh',
      operationId: 'refreshSession',
      tags,
      security: [],
      summary: 'Exchange a refresh token for a new token pair (rotation)',
      description:
        'The presented token dies. For 10 seconds after a rotation the token just rotated gets 401 while the session lives on (a racing client); presenting it later, or any older token, revokes the whole session.',
      request: { body: jsonBody(RefreshBody) },
      responses: {
        200: jsonResponse('A new token pair', TokenPairSchema),
        ...errorResponses(
          400,
          [401, 'Unknown, expired, rotated or revoked refresh token.', ['invalid_refresh_token']],
          415,
          429,
        ),
      },
    }),
    async (c) => {
      const tokens = valueOr(
        await useCases.refreshSession.execute({ refreshToken: c.req.valid('json').refresh_token }),
        (error) => identityProblem(error),
      );
      return c.json(toTokenPairJson(tokens), 200, NO_STORE);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/logout',
      operationId: 'logOut',
      tags,
      ...authed,
      summary: 'Revoke the current session; its access token stops working at once',
      description: 'The session’s refresh token dies too; other sessions stay signed in.',
      responses: { ...noContent('Signed out'), ...errorResponses(401, 429) },
    }),
    async (c) => {
      await useCases.logOut.execute({ principal: sessionOf(c) });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/logout-all',
      operationId: 'logOutAll',
      tags,
      ...authed,
      summary: 'Revoke every session of the caller',
      description: 'Every access and refresh token of the caller stops working at once.',
      responses: { ...noContent('Every session revoked'), ...errorResponses(401, 429) },
    }),
    async (c) => {
      await useCases.logOutAll.execute({ principal: sessionOf(c) });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/verify-email',
      operationId: 'verifyEmail',
      tags,
      security: [],
      summary: 'Confirm an email address with the token from the verification mail',
      description: 'Tokens are single-use and expire after 24 hours.',
      request: { body: jsonBody(TokenBody) },
      responses: {
        200: jsonResponse('The verified user', UserSchema),
        ...errorResponses(
          [
            400,
            'Malformed request, or the token is unknown, used or expired (`invalid_token`).',
            ['validation_failed', 'invalid_token'],
          ],
          415,
          429,
        ),
      },
    }),
    async (c) => {
      const user = valueOr(
        await useCases.verifyEmail.execute({ token: c.req.valid('json').token }),
        (error) => identityProblem(error),
      );
      return c.json(toUserJson(user), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/verify-email/resend',
      operationId: 'resendVerification',
      tags,
      ...authed,
      summary: 'Send a new verification mail',
      description: 'The new link replaces the earlier ones, which stop working.',
      responses: {
        ...accepted('A new verification mail is on its way'),
        ...errorResponses(
          401,
          [409, 'The email is already verified (`already_verified`).', ['already_verified']],
          429,
        ),
      },
    }),
    async (c) => {
      valueOr(await useCases.resendVerification.execute({ principal: sessionOf(c) }), (error) =>
        identityProblem(error),
      );
      return c.body(null, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/password/forgot',
      operationId: 'forgotPassword',
      tags,
      security: [],
      summary: 'Request a password-reset mail',
      description:
        'Always 202 for a well-formed address, whether or not the account exists; a malformed one is 400.',
      request: { body: jsonBody(ForgotPasswordBody) },
      responses: {
        ...accepted('If the account exists, a reset mail is on its way'),
        ...errorResponses(400, 415, 429),
      },
    }),
    (c) => {
      // In the background: how long the answer takes must not tell whether the account exists.
      const { email } = c.req.valid('json');
      detach('request_password_reset', async () => {
        await useCases.requestPasswordReset.execute({ email });
      });
      return c.body(null, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/password/reset',
      operationId: 'resetPassword',
      tags,
      security: [],
      summary: 'Set a new password with the token from the reset mail; revokes every session',
      description:
        'Tokens are single-use and expire after 1 hour. A password the policy refuses is named with the other fields in one 400.',
      request: { body: jsonBody(ResetPasswordBody) },
      responses: {
        ...noContent('Password changed; every session revoked; lockout cleared'),
        ...errorResponses(
          [
            400,
            '`invalid_token`, `weak_password` or `validation_failed`.',
            ['validation_failed', 'invalid_token', 'weak_password'],
          ],
          415,
          429,
          PASSWORD_HASHING_BUSY,
        ),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      valueOr(
        await useCases.resetPassword.execute({ token: body.token, password: body.password }),
        (error) => identityProblem(error),
      );
      return c.body(null, 204);
    },
    checkFields(...passwordPolicy(commonPasswords, 'password')),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/password/change',
      operationId: 'changePassword',
      tags,
      ...authed,
      summary: 'Change the password; revokes every other session',
      description: 'Needs the current password; the session making the request stays signed in.',
      request: { body: jsonBody(ChangePasswordBody) },
      responses: {
        ...noContent('Password changed; other sessions revoked'),
        ...errorResponses(
          [
            400,
            '`invalid_current_password`, `weak_password` or `validation_failed`.',
            ['validation_failed', 'invalid_current_password', 'weak_password'],
          ],
          401,
          415,
          429,
          PASSWORD_HASHING_BUSY,
        ),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      valueOr(
        await useCases.changePassword.execute({
          principal: sessionOf(c),
          currentPassword: body.current_password,
          newPassword: body.new_password,
        }),
        (error) => identityProblem(error, { passwordField: 'new_password' }),
      );
      return c.body(null, 204);
    },
    checkFields(...passwordPolicy(commonPasswords, 'new_password')),
  );

  return app;
}
