import { createConfig, lintFromString } from '@redocly/openapi-core';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderOpenApiDocument } from '../../src/openapi-document.ts';

const committedPath = new URL('../../openapi/openapi.json', import.meta.url);

describe('the OpenAPI contract', () => {
  it('is committed exactly as the routes generate it (run `npm run openapi` after changing a route)', async () => {
    const [committed, generated] = await Promise.all([
      readFile(committedPath, 'utf8'),
      renderOpenApiDocument(),
    ]);
    expect(committed).toBe(generated);
  });

  it('passes the Redocly recommended ruleset without errors', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({
      source: await renderOpenApiDocument(),
      absoluteRef: 'openapi.json',
      config,
    });
    const errors = problems
      .filter((p) => p.severity === 'error')
      .map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`);
    expect(errors).toEqual([]);
  });

  it('is OpenAPI 3.1 and documents every operation with an id', async () => {
    const doc = JSON.parse(await renderOpenApiDocument()) as {
      openapi: string;
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.values(doc.paths).flatMap((item) => Object.values(item));
    expect(operations.length).toBeGreaterThan(0);
    for (const operation of operations) expect(operation.operationId).toMatch(/^[a-z][A-Za-z]+$/);
  });
});
