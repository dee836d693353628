import type { Context } from 'hono';
import { insufficientScope, type Principal } from './bearer-auth.ts';
import { PROBLEM_MEDIA_TYPE, type ProblemError } from './problem.ts';

/** Any valid access token may call the operation, whatever its scopes. */
export const ANY_TOKEN = 'any token';
/** Only a signed-in session may call the operation; access tokens get 403. */
export const NO_TOKENS = 'no tokens';

/** What an access token needs to call one operation: a scope, or one of the two rules above. */
export type TokenAccessRule<Scope extends string = string> =
  Scope | typeof ANY_TOKEN | typeof NO_TOKENS;

/**
 * Every operation, keyed `METHOD /path/{param}` as the OpenAPI document names it. The middleware
 * enforces it and the document is written from it, so the two cannot disagree.
 */
export type TokenAccessTable<Scope extends string = string> = Readonly<
  Record<string, TokenAccessRule<Scope>>
>;

export const operationKey = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

/** The key of the route that matched this request (HEAD is served by the GET route). */
function routeKey(c: Context): string {
  const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
  return operationKey(method, c.req.routePath.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}'));
}

/**
 * The 403 `insufficient_scope` refusal of the matched operation for this principal, if any.
 * Sessions may call every operation; a token only those its rule allows, and none missing from
 * the table.
 */
export function tokenAccessRefusal(
  table: TokenAccessTable,
  c: Context,
  principal: Principal,
): ProblemError | undefined {
  if (principal.kind === 'session') return undefined;
  const rule = table[routeKey(c)] ?? NO_TOKENS;
  if (rule === ANY_TOKEN) return undefined;
  if (rule === NO_TOKENS) return insufficientScope();
  return principal.scopes.includes(rule) ? undefined : insufficientScope(rule);
}

interface OperationDoc {
  security?: Array<Record<string, string[]>>;
  responses: Record<string, Record<string, unknown>>;
}

interface DocumentDoc {
  paths?: Record<string, Record<string, OperationDoc>>;
  components?: { schemas?: Record<string, unknown> } & object;
}

const INSUFFICIENT_SCOPE_SCHEMA = 'InsufficientScopeProblem';

/**
 * Writes the table into a generated document. Operations behind `bearerAuth` that tokens may call
 * also accept `accessToken` with the scope they need (OpenAPI 3.1 allows scope names for any
 * scheme); each of them, and each that tokens may not call, documents the 403 a token gets.
 */
export function declareTokenAccess<D extends object>(document: D, table: TokenAccessTable): D {
  const doc = document as DocumentDoc;
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas } };
  doc.components.schemas![INSUFFICIENT_SCOPE_SCHEMA] = {
    allOf: [
      { $ref: '#/components/schemas/Problem' },
      {
        type: 'object',
        properties: { code: { type: 'string', enum: ['insufficient_scope'] } },
      },
    ],
  };
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      const security = operation.security ?? [];
      if (!security.some((requirement) => 'bearerAuth' in requirement)) continue;
      const rule = table[operationKey(method, path)] ?? NO_TOKENS;
      if (rule !== NO_TOKENS) {
        const scopes = rule === ANY_TOKEN ? [] : [rule];
        operation.security = security.flatMap((requirement) =>
          'bearerAuth' in requirement ? [requirement, { accessToken: scopes }] : [requirement],
        );
      }
      addInsufficientScope(operation, describe(rule), doc.components.schemas!);
    }
  }
  return document;
}

function describe(rule: string): string {
  if (rule === NO_TOKENS) return 'Access tokens cannot call this operation (`insufficient_scope`).';
  return `The access token lacks the scope \`${rule}\` (\`insufficient_scope\`).`;
}

const challengeHeader = (required: boolean) => ({
  description:
    'With `insufficient_scope`: `Bearer error="insufficient_scope"`, and `scope="…"` naming the ' +
    'scope that would allow the operation, if one would.',
  required,
  schema: {
    type: 'string',
    example: 'Bearer realm="task-manager", error="insufficient_scope", scope="tasks:read"',
  },
});

function addInsufficientScope(
  operation: OperationDoc,
  description: string,
  schemas: Record<string, unknown>,
): void {
  const existing = operation.responses['403'];
  if (existing === undefined) {
    operation.responses['403'] = {
      description,
      headers: { 'WWW-Authenticate': challengeHeader(true) },
      content: {
        [PROBLEM_MEDIA_TYPE]: {
          schema: { $ref: `#/components/schemas/${INSUFFICIENT_SCOPE_SCHEMA}` },
        },
      },
    };
    return;
  }
  const content = existing.content as Record<string, { schema: { $ref?: string } }>;
  operation.responses['403'] = {
    ...existing,
    description: `${existing.description as string} ${description}`,
    headers: {
      ...(existing.headers as object | undefined),
      'WWW-Authenticate': challengeHeader(false),
    },
    content: {
      ...content,
      [PROBLEM_MEDIA_TYPE]: {
        schema: withInsufficientScope(content[PROBLEM_MEDIA_TYPE]!.schema, schemas),
      },
    },
  };
}

/**
 * The named problem schema of a 403 the route declares, with `insufficient_scope` added to its
 * codes as a component of its own (`ForbiddenOrInsufficientScopeProblem`), so clients keep one
 * type per set of codes.
 */
function withInsufficientScope(schema: { $ref?: string }, schemas: Record<string, unknown>) {
  const name = schema.$ref?.replace('#/components/schemas/', '');
  const component = name === undefined ? undefined : schemas[name];
  const copy = JSON.parse(JSON.stringify(component ?? null)) as unknown;
  if (name === undefined || !addCode(copy, 'insufficient_scope')) {
    throw new Error('a 403 response must use a named problem schema with enumerated codes');
  }
  const merged = `${name.replace(/Problem$/, '')}OrInsufficientScopeProblem`;
  schemas[merged] ??= copy;
  return { $ref: `#/components/schemas/${merged}` };
}

/** Adds `code` to every `code` enum in a schema (zod writes it inside an `allOf`); whether any. */
function addCode(schema: unknown, code: string): boolean {
  if (typeof schema !== 'object' || schema === null) return false;
  const node = schema as { properties?: { code?: { enum?: string[] } } };
  let found = false;
  if (Array.isArray(node.properties?.code?.enum)) {
    node.properties.code.enum.push(code);
    found = true;
  }
  for (const value of Object.values(schema)) found = addCode(value, code) || found;
  return found;
}
