import { createConfig, lintFromString } from '@redocly/openapi-core';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { NOTIFICATION_TYPES } from '../../src/modules/notifications/domain/notification.ts';
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

  it('describes a notification as one schema per type, discriminated by `type`', async () => {
    const doc = JSON.parse(await renderOpenApiDocument()) as {
      components: {
        schemas: Record<
          string,
          {
            oneOf?: Array<{ $ref: string }>;
            discriminator?: { propertyName: string; mapping: Record<string, string> };
            properties?: Record<string, { enum?: string[] }>;
          }
        >;
      };
    };
    const { schemas } = doc.components;
    const notification = schemas.Notification!;
    expect(notification.discriminator?.propertyName).toBe('type');
    const mapping = notification.discriminator?.mapping ?? {};
    expect(Object.keys(mapping).sort()).toEqual([...NOTIFICATION_TYPES].sort());
    expect(notification.oneOf?.map((option) => option.$ref).sort()).toEqual(
      Object.values(mapping).sort(),
    );
    for (const [type, ref] of Object.entries(mapping)) {
      const variant = schemas[ref.replace('#/components/schemas/', '')];
      expect(variant?.properties?.type?.enum).toEqual([type]);
      expect(variant?.properties?.data).toBeDefined();
    }
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

  it('describes every operation, declares its tags, and names the codes and headers of every answer', async () => {
    const doc = JSON.parse(await renderOpenApiDocument()) as DocumentShape;
    const declaredTags = new Map((doc.tags ?? []).map((tag) => [tag.name, tag.description]));
    const gaps: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        if (!op.description) gaps.push(`${where}: no description`);
        for (const tag of op.tags ?? []) {
          if (!declaredTags.get(tag)) gaps.push(`${where}: tag ${tag} not declared`);
        }
        if (op.requestBody && !op.responses['413']) gaps.push(`${where}: no 413`);
        for (const [status, response] of Object.entries(op.responses)) {
          if (status === '101') continue;
          if (!response.headers?.['X-Request-Id']) gaps.push(`${where} ${status}: no X-Request-Id`);
          if (status === '401' && !response.headers?.['WWW-Authenticate']) {
            gaps.push(`${where} 401: no WWW-Authenticate`);
          }
          const problem = response.content?.['application/problem+json']?.schema as
            { $ref?: string } | undefined;
          const named = problem?.$ref?.replace('#/components/schemas/', '');
          const resolved = named === undefined ? problem : doc.components.schemas[named];
          if (problem && !JSON.stringify(resolved).includes('"enum"')) {
            gaps.push(`${where} ${status}: problem code not enumerated`);
          }
        }
      }
    }
    expect(gaps).toEqual([]);
  });
});

interface DocumentShape {
  tags?: Array<{ name: string; description?: string }>;
  components: { schemas: Record<string, unknown> };
  paths: Record<
    string,
    Record<
      string,
      {
        description?: string;
        tags?: string[];
        requestBody?: unknown;
        responses: Record<
          string,
          {
            headers?: Record<string, unknown>;
            content?: Record<string, { schema?: unknown }>;
          }
        >;
      }
    >
  >;
}
