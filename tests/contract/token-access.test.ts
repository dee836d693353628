import { describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_SCOPES } from '../../src/modules/identity/domain/access-token.ts';
import { renderOpenApiDocument } from '../../src/openapi-document.ts';
import { ANY_TOKEN, NO_TOKENS, operationKey } from '../../src/shared/http/token-access.ts';
import { TOKEN_ACCESS } from '../../src/token-access.ts';

interface Operation {
  security?: Array<Record<string, string[]>>;
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
}

async function operations(): Promise<Array<[string, Operation]>> {
  const doc = JSON.parse(await renderOpenApiDocument()) as {
    paths: Record<string, Record<string, Operation>>;
  };
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]): [string, Operation] => [
      operationKey(method, path),
      op,
    ]),
  );
}

describe('the token-access table', () => {
  it('has an entry for every operation of the document (add one for each new route)', async () => {
    const missing = (await operations())
      .map(([key]) => key)
      .filter((key) => !(key in TOKEN_ACCESS));
    expect(missing).toEqual([]);
  });

  it('names only operations that exist, each with a known scope or rule', async () => {
    const keys = new Set((await operations()).map(([key]) => key));
    const allowed = new Set<string>([...ACCESS_TOKEN_SCOPES, ANY_TOKEN, NO_TOKENS]);
    const stale = Object.keys(TOKEN_ACCESS).filter((key) => !keys.has(key));
    const unknown = Object.entries(TOKEN_ACCESS).filter(([, rule]) => !allowed.has(rule));
    expect(stale).toEqual([]);
    expect(unknown).toEqual([]);
  });

  it('lets tokens call nothing that needs no bearer credential, nor /auth/*, /tokens or admin routes', async () => {
    const open = (await operations()).filter(
      ([key, op]) =>
        !(op.security ?? []).some((r) => 'bearerAuth' in r) ||
        /^\w+ \/api\/v1\/(auth|tokens|admin)\b/.test(key),
    );
    expect(open.length).toBeGreaterThan(0);
    for (const [key] of open) expect([key, TOKEN_ACCESS[key]]).toEqual([key, NO_TOKENS]);
    expect(TOKEN_ACCESS['PATCH /api/v1/users/me']).toBe(NO_TOKENS);
  });

  it('is what the document declares: the accessToken requirement and the 403 insufficient_scope', async () => {
    for (const [key, op] of await operations()) {
      if (!(op.security ?? []).some((r) => 'bearerAuth' in r)) continue;
      const rule = TOKEN_ACCESS[key];
      const declared = (op.security ?? []).find((r) => 'accessToken' in r)?.accessToken;
      const expected = rule === NO_TOKENS ? undefined : rule === ANY_TOKEN ? [] : [rule];
      expect([key, declared]).toEqual([key, expected]);
      const problem = op.responses['403']?.content?.['application/problem+json']?.schema.$ref;
      expect([key, problem]).toEqual([key, expect.stringMatching(/InsufficientScopeProblem$/)]);
    }
  });
});
