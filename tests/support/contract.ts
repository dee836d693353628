import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import * as addFormatsModule from 'ajv-formats';
import { inject } from 'vitest';

/**
 * Holds every HTTP response a test receives to the committed `openapi/openapi.json`: the status is
 * declared for the operation, the body is valid against its schema (JSON Schema 2020-12, as
 * OpenAPI 3.1 says), and every header the document marks required is present. A drift fails the
 * test that caused it; the operations checked are recorded for the run's coverage check.
 */

interface HeaderObject {
  $ref?: string;
  required?: boolean;
  schema?: { pattern?: string };
}
interface ResponseObject {
  content?: Record<string, { schema?: unknown }>;
  headers?: Record<string, HeaderObject>;
}
interface OperationObject {
  operationId: string;
  responses: Record<string, ResponseObject>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components: { headers?: Record<string, HeaderObject> };
}

const DOCUMENT_ID = 'openapi.json';
const documentPath = new URL('../../openapi/openapi.json', import.meta.url);
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

export function loadDocument(): OpenApiDocument {
  return JSON.parse(readFileSync(documentPath, 'utf8')) as OpenApiDocument;
}

/** Every operation of the document, by id. */
export function operationIds(doc: OpenApiDocument): string[] {
  return Object.values(doc.paths).flatMap((item) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.has(method))
      .map(([, operation]) => operation.operationId),
  );
}

interface Route {
  pattern: RegExp;
  literalSegments: number;
  methods: Record<string, OperationObject>;
  template: string;
}

const escapeJsonPointer = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');
// ajv-formats is CommonJS whose `default` export Node's ESM loader leaves on the namespace.
const addFormats = (addFormatsModule as unknown as { default: (ajv: Ajv2020) => Ajv2020 }).default;

export class ContractValidator {
  private readonly doc: OpenApiDocument;
  private readonly ajv: Ajv2020;
  private readonly routes: Route[];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(doc: OpenApiDocument) {
    this.doc = doc;
    // Not strict: the document carries OpenAPI's own keywords (`example`, ...) next to JSON Schema.
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addFormat('binary', true);
    this.ajv.addSchema(doc, DOCUMENT_ID);
    // Templates with more literal segments win: `/notifications/read-all` over `/{id}/read`.
    this.routes = Object.entries(doc.paths)
      .map(([template, methods]) => ({
        template,
        methods,
        literalSegments: template.split('/').filter((s) => s !== '' && !s.startsWith('{')).length,
        pattern: new RegExp(
          `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`,
        ),
      }))
      .sort((a, b) => b.literalSegments - a.literalSegments);
  }

  /** The documented operation a request is for, if any. */
  operationFor(
    method: string,
    path: string,
  ): { template: string; operation: OperationObject } | undefined {
    const verb = method.toLowerCase();
    for (const route of this.routes) {
      if (!route.pattern.test(path)) continue;
      const operation = route.methods[verb];
      if (operation) return { template: route.template, operation };
    }
    return undefined;
  }

  /** What is wrong with a response to `method path`, as one line per problem (none: it conforms). */
  async check(
    method: string,
    path: string,
    response: Response,
  ): Promise<{ operationId?: string; problems: string[] }> {
    const found = this.operationFor(method, path);
    if (!found) return { problems: [] };
    const { template, operation } = found;
    const status = String(response.status);
    const declared = operation.responses[status] ?? operation.responses.default;
    const where = `${method.toUpperCase()} ${path} (${operation.operationId}) → ${status}`;
    if (!declared) {
      const body = await response.clone().text();
      return {
        operationId: operation.operationId,
        problems: [`${where}: status not declared; body ${body.slice(0, 300)}`],
      };
    }
    const problems = [
      ...this.headerProblems(declared, response),
      ...(await this.bodyProblems(template, method, status, declared, response)),
    ].map((problem) => `${where}: ${problem}`);
    return { operationId: operation.operationId, problems };
  }

  private headerProblems(declared: ResponseObject, response: Response): string[] {
    const problems: string[] = [];
    for (const [name, header] of Object.entries(declared.headers ?? {})) {
      const resolved = this.resolveHeader(header);
      const value = response.headers.get(name);
      if (value === null) {
        if (resolved.required) problems.push(`required header ${name} missing`);
        continue;
      }
      const pattern = resolved.schema?.pattern;
      if (pattern !== undefined && !new RegExp(pattern, 'u').test(value)) {
        problems.push(`header ${name}: ${JSON.stringify(value)} does not match ${pattern}`);
      }
    }
    return problems;
  }

  private resolveHeader(header: HeaderObject): HeaderObject {
    const name = header.$ref?.replace('#/components/headers/', '');
    return name === undefined ? header : (this.doc.components.headers?.[name] ?? header);
  }

  private async bodyProblems(
    template: string,
    method: string,
    status: string,
    declared: ResponseObject,
    response: Response,
  ): Promise<string[]> {
    const body = await response.clone().text();
    const content = declared.content ?? {};
    if (Object.keys(content).length === 0) {
      return body === '' ? [] : [`a body is not declared, got ${body.slice(0, 200)}`];
    }
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
    if (!(mediaType in content)) {
      return [
        `media type ${mediaType || '(none)'} not declared (${Object.keys(content).join(', ')})`,
      ];
    }
    if (!/^application\/([a-z.+-]+\+)?json$/.test(mediaType)) return [];
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return [`body is not JSON: ${body.slice(0, 200)}`];
    }
    const validate = this.validator(template, method, status, mediaType);
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (error) => `body${error.instancePath} ${error.message ?? 'is invalid'} (${error.schemaPath})`,
    );
  }

  private validator(template: string, method: string, status: string, mediaType: string) {
    const pointer = [
      'paths',
      template,
      method.toLowerCase(),
      'responses',
      status,
      'content',
      mediaType,
      'schema',
    ]
      .map(escapeJsonPointer)
      .join('/');
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}#/${pointer}` });
      this.compiled.set(pointer, validate);
    }
    return validate;
  }
}

let shared: ContractValidator | undefined;
const covered = new Set<string>();
/** Drifts seen in this test file's current test, for the setup file's `afterEach` to report. */
export const contractViolations: string[] = [];

function validator(): ContractValidator {
  shared ??= new ContractValidator(loadDocument());
  return shared;
}

function record(operationId: string): void {
  if (covered.has(operationId)) return;
  covered.add(operationId);
  const dir = coverageDir();
  if (dir !== undefined) appendFileSync(join(dir, `${process.pid}.txt`), `${operationId}\n`);
}

function coverageDir(): string | undefined {
  try {
    return inject('contractCoverageDir');
  } catch {
    return undefined;
  }
}

/** The parts of a request the check needs. */
export interface RequestLine {
  method: string;
  url: string;
  headers: Headers;
}

/**
 * Checks a response against the document; throws (failing the request, and so the test) and
 * records the drift when it does not conform. Upgrades to WebSocket are not HTTP responses.
 */
export async function holdToContract(request: RequestLine, response: Response): Promise<void> {
  if (response.status === 101 || request.headers.get('upgrade') !== null) return;
  const { pathname } = new URL(request.url);
  const { operationId, problems } = await validator().check(request.method, pathname, response);
  if (operationId !== undefined) record(operationId);
  if (problems.length === 0) return;
  contractViolations.push(...problems);
  throw new ContractDrift(problems);
}

export class ContractDrift extends Error {
  constructor(problems: string[]) {
    super(`The response differs from openapi/openapi.json:\n  ${problems.join('\n  ')}`);
    this.name = 'ContractDrift';
  }
}

/** Makes an app's `fetch` (which `app.request` and a served app use) hold every response to the contract. */
export function checkAppResponses(app: {
  fetch: (request: Request, ...rest: never[]) => Response | Promise<Response>;
}): void {
  const fetch = app.fetch;
  app.fetch = async (request: Request, ...rest: never[]) => {
    const response = await fetch(request, ...rest);
    await holdToContract(request, response);
    return response;
  };
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Makes the global `fetch` hold every response of a local server to the contract. */
export function checkGlobalFetch(): void {
  const fetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const response = await fetch(input, init);
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request?.url ?? (input instanceof URL ? input.href : input));
    if (LOCAL_HOSTS.has(url.hostname)) {
      await holdToContract(
        {
          method: init?.method ?? request?.method ?? 'GET',
          url: url.href,
          headers: new Headers(init?.headers ?? request?.headers),
        },
        response,
      );
    }
    return response;
  };
}
