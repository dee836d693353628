import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type RunningServer } from '../../src/server.ts';
import { generateClientTypes } from '../support/contract/client-types.ts';
import { createTasksTestApp, type TasksTestApp } from '../support/tasks/http-tasks.ts';

const root = new URL('../../', import.meta.url);
const committedDocument = new URL('openapi/openapi.json', root);
const generatedTypes = new URL('./client/api.generated.ts', import.meta.url);
const clientSource = new URL('./client/task-client.ts', import.meta.url);

beforeAll(async () => {
  await writeFile(generatedTypes, await generateClientTypes(committedDocument));
});

/** What the test reads of the client's results (the client's own types come from generated code). */
interface TourModule {
  tour: (
    baseUrl: string,
    email: string,
  ) => Promise<{
    created: { id: string; version: number; categories: Array<{ name: string }> };
    attachment: Record<string, unknown>;
    downloaded: { text: string; type: string | null; disposition: string | null };
    etagBefore: string;
    patched: { id: string; status: string; version: number };
    etagAfter: string | null;
    pages: string[][];
  }>;
}

/** Casts and escapes from the type system: none may appear in a client built on the types. */
function typeEscapes(file: ts.SourceFile): string[] {
  const found: string[] = [];
  const at = (node: ts.Node) => {
    const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
    return `line ${line + 1}: ${node.getText(file)}`;
  };
  const visit = (node: ts.Node): void => {
    if (ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) {
      const constAssertion =
        ts.isTypeReferenceNode(node.type) && node.type.typeName.getText(file) === 'const';
      if (!constAssertion) found.push(`cast, ${at(node)}`);
    } else if (ts.isNonNullExpression(node)) found.push(`non-null assertion, ${at(node)}`);
    else if (ts.isSatisfiesExpression(node)) found.push(`satisfies, ${at(node)}`);
    else if (node.kind === ts.SyntaxKind.AnyKeyword) found.push(`any, ${at(node)}`);
    else if (ts.getJSDocTags(node).some((tag) => /^ts-/.test(tag.tagName.text))) {
      found.push(`compiler directive, ${at(node)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  const directives = /\/\/\s*@ts-(ignore|expect-error|nocheck)/.exec(file.text);
  if (directives) found.push(`compiler directive ${directives[0]}`);
  return found;
}

describe('a client generated from the committed OpenAPI document', () => {
  it('maps binary parts to Blob, so a file goes in without a cast', async () => {
    const types = await readFile(generatedTypes, 'utf8');
    expect(types).toMatch(/"multipart\/form-data": \{\s*\/\*\* Format: binary \*\/\s*file: Blob;/);
  });

  it('type-checks strictly with the project’s TypeScript, without a cast or `any`', () => {
    const config = ts.readConfigFile(fileURLToPath(new URL('tsconfig.json', root)), (path) =>
      ts.sys.readFile(path),
    );
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, fileURLToPath(root));
    const program = ts.createProgram([fileURLToPath(clientSource)], {
      ...options,
      noImplicitAny: true,
      noEmit: true,
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));

    expect(diagnostics).toEqual([]);
    // A check that read no types would pass anything.
    expect(program.getSourceFile(fileURLToPath(generatedTypes))).toBeDefined();
    const client = program.getSourceFile(fileURLToPath(clientSource));
    expect(client).toBeDefined();
    if (client) expect(typeEscapes(client)).toEqual([]);
  });

  describe('run against a real server', () => {
    let t: TasksTestApp;
    let server: RunningServer;
    beforeAll(async () => {
      t = await createTasksTestApp();
      server = await startHttpServer(t.container, 0, '127.0.0.1');
    });
    afterAll(async () => {
      await server?.close(1_000);
      await t?.close();
    });

    it('registers, creates a categorised task, uploads and downloads a Blob, patches with If-Match, pages with a cursor', async () => {
      // Loaded at run time: the project's own type-check never sees the generated types.
      const { tour } = (await import(clientSource.href)) as TourModule;
      const email = `client-${randomUUID()}@example.test`;
      const out = await tour(`http://127.0.0.1:${server.port}`, email);

      expect(out.created.categories.map((c) => c.name)).toEqual(['Reports']);
      expect(out.attachment).toMatchObject({
        filename: 'numbers.txt',
        content_type: 'text/plain',
        size_bytes: 'Quarterly numbers, all of them.\n'.length,
      });
      expect(out.downloaded.text).toBe('Quarterly numbers, all of them.\n');
      expect(out.downloaded.type).toMatch(/^text\/plain/);
      expect(out.downloaded.disposition).toMatch(/^attachment;/);
      expect(out.etagBefore).toMatch(new RegExp(`^W/"${out.created.version}\\.[0-9a-f]{16}"$`));
      expect(out.patched).toMatchObject({ id: out.created.id, status: 'in_progress' });
      expect(out.patched.version).toBe(out.created.version + 1);
      expect(out.etagAfter).toMatch(new RegExp(`^W/"${out.patched.version}\\.[0-9a-f]{16}"$`));
      expect(out.pages.map((page) => page.length)).toEqual([2, 1]);
      expect(new Set(out.pages.flat()).size).toBe(3);
      expect(out.pages.flat()).toContain(out.created.id);
    });
  });
});
