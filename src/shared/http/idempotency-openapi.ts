import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_KEY_MAX_LENGTH,
  IDEMPOTENCY_KEY_PATTERN,
  IDEMPOTENCY_LEASE_MS,
  IDEMPOTENCY_RETENTION_SECONDS,
  IDEMPOTENCY_RETRY_AFTER_SECONDS,
  IDEMPOTENT_REPLAYED_HEADER,
  isStoredStatus,
  UNSTORED_CLIENT_ERRORS,
} from './idempotency.ts';
import { PROBLEM_MEDIA_TYPE } from './problem.ts';

interface ResponseDoc {
  description: string;
  content?: Record<string, { schema: unknown }>;
  headers?: Record<string, unknown>;
}

interface OperationDoc {
  description?: string;
  parameters?: unknown[];
  responses: Record<string, ResponseDoc>;
}

interface DocumentDoc {
  paths?: Record<string, Record<string, OperationDoc>>;
  components?: { schemas?: Record<string, unknown>; headers?: Record<string, unknown> } & object;
}

const IN_PROGRESS = 'IdempotencyInProgressProblem';
const REUSED = 'IdempotencyKeyReusedProblem';
const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });

const problemWithCode = (code: string) => ({
  allOf: [
    schemaRef('Problem'),
    { type: 'object', properties: { code: { type: 'string', enum: [code] } } },
  ],
});

const hours = IDEMPOTENCY_RETENTION_SECONDS / 3600;
const listed = (items: unknown[]) => `${items.slice(0, -1).join(', ')} and ${String(items.at(-1))}`;

const KEY_PARAMETER = {
  name: IDEMPOTENCY_KEY_HEADER,
  in: 'header',
  required: false,
  description:
    `Makes retrying this request safe (draft-ietf-httpapi-idempotency-key-header): 1–${IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters, ` +
    'e.g. a UUID; the draft’s quoted form (`"…"`) names the same key as the bare one. ' +
    `The first answer (status, body, \`Location\`, \`ETag\`, \`Content-Type\`) is kept ${hours} h for this caller ` +
    '(per access token where the request came with one), this operation and this key, and replayed to a retry ' +
    `with the same path and body, with \`${IDEMPOTENT_REPLAYED_HEADER}: true\`. Answers are kept when they are final: ` +
    `2xx, and 4xx other than ${listed([...UNSTORED_CLIENT_ERRORS])}; after a 5xx or one of those the key is free and the retry runs afresh. ` +
    'The same key with another path or body is refused (422 `idempotency_key_reused`); while the first request runs, a retry ' +
    `gets 409 \`idempotency_in_progress\` with \`Retry-After\`. Should the instance running the first request die, the key is free again within ${IDEMPOTENCY_LEASE_MS / 1000} s.`,
  schema: {
    type: 'string',
    minLength: 1,
    maxLength: IDEMPOTENCY_KEY_MAX_LENGTH,
    pattern: IDEMPOTENCY_KEY_PATTERN.source,
    example: '8e03978e-40d5-43e8-bc93-6894a57f9324',
  },
};

const REPLAYED_HEADER = {
  description: `\`true\` on an answer replayed for a retry with the same \`${IDEMPOTENCY_KEY_HEADER}\`.`,
  required: false,
  schema: { type: 'string', enum: ['true'] },
};

const IN_PROGRESS_DESCRIPTION = `A request with this \`${IDEMPOTENCY_KEY_HEADER}\` is still running (\`idempotency_in_progress\`); retry after \`Retry-After\` (${IDEMPOTENCY_RETRY_AFTER_SECONDS} s).`;

/**
 * Declares `Idempotency-Key` on the listed operations (the header, the 409 and 422 problems, the
 * `Idempotent-Replayed` header on the answers that are replayed) and, on the operations listed as
 * not taking it, why not, and whether they refuse it. Run before `declareMiddleware`, which adds the common headers.
 */
export function declareIdempotency<D extends object>(
  document: D,
  operations: readonly string[],
  excluded: Readonly<Record<string, string>>,
  refused: readonly string[],
): D {
  for (const name of refused) {
    if (!(name in excluded)) throw new Error(`${name} refuses the key but gives no reason`);
  }
  const doc = document as DocumentDoc;
  doc.components = {
    ...doc.components,
    schemas: {
      ...doc.components?.schemas,
      [IN_PROGRESS]: problemWithCode('idempotency_in_progress'),
      [REUSED]: problemWithCode('idempotency_key_reused'),
    },
    headers: { ...doc.components?.headers, [IDEMPOTENT_REPLAYED_HEADER]: REPLAYED_HEADER },
  };
  for (const name of operations) {
    const operation = operationOf(doc, name);
    operation.parameters = [...(operation.parameters ?? []), KEY_PARAMETER];
    for (const [status, response] of Object.entries(operation.responses)) {
      if (isStoredStatus(Number(status))) {
        response.headers = {
          ...response.headers,
          [IDEMPOTENT_REPLAYED_HEADER]: headerRef(IDEMPOTENT_REPLAYED_HEADER),
        };
      }
    }
    operation.responses['409'] = withInProgress(doc, operation.responses['409']);
    operation.responses['422'] = {
      description: `This \`${IDEMPOTENCY_KEY_HEADER}\` came with another path or body (\`idempotency_key_reused\`).`,
      content: { [PROBLEM_MEDIA_TYPE]: { schema: schemaRef(REUSED) } },
    };
  }
  for (const [name, reason] of Object.entries(excluded)) {
    const operation = operationOf(doc, name);
    const note = refused.includes(name)
      ? `Refuses \`${IDEMPOTENCY_KEY_HEADER}\` with 400 (\`validation_failed\`, an \`errors[]\` entry on the header) rather than ignore it, so that a retry cannot silently do it twice. ${reason}`
      : `Does not take \`${IDEMPOTENCY_KEY_HEADER}\`: ${reason}`;
    operation.description =
      operation.description === undefined ? note : `${operation.description}\n\n${note}`;
  }
  return document;
}

function operationOf(doc: DocumentDoc, name: string): OperationDoc {
  const [method, path] = name.split(' ');
  const operation = doc.paths?.[path!]?.[method!.toLowerCase()];
  if (operation === undefined) throw new Error(`${name} is listed for idempotency but not routed`);
  return operation;
}

/**
 * The 409 of an operation, with `idempotency_in_progress` beside the conflicts it had: their
 * problem schema copied with the code added, named as `errorResponses` names a set of codes.
 */
function withInProgress(doc: DocumentDoc, existing: ResponseDoc | undefined): ResponseDoc {
  if (existing === undefined) {
    return {
      description: IN_PROGRESS_DESCRIPTION,
      content: { [PROBLEM_MEDIA_TYPE]: { schema: schemaRef(IN_PROGRESS) } },
      headers: { 'Retry-After': headerRef('Retry-After') },
    };
  }
  const own = existing.content?.[PROBLEM_MEDIA_TYPE]?.schema as { $ref?: string } | undefined;
  const name = own?.$ref?.replace('#/components/schemas/', '');
  const schemas = doc.components!.schemas!;
  const codes = name === undefined ? undefined : codesOf(schemas[name]);
  if (name === undefined || codes === undefined) {
    throw new Error('a 409 that takes Idempotency-Key needs a named problem schema with codes');
  }
  const merged = `${name.replace(/Problem$/, '')}Or${IN_PROGRESS}`;
  schemas[merged] = {
    allOf: [
      schemaRef('Problem'),
      {
        type: 'object',
        properties: { code: { type: 'string', enum: [...codes, 'idempotency_in_progress'] } },
      },
    ],
  };
  return {
    ...existing,
    description: `${existing.description} ${IN_PROGRESS_DESCRIPTION}`,
    content: { [PROBLEM_MEDIA_TYPE]: { schema: schemaRef(merged) } },
    headers: {
      ...existing.headers,
      'Retry-After': {
        description: 'Seconds to wait before trying again (with `idempotency_in_progress`).',
        required: false,
        schema: { type: 'integer', example: '1' },
      },
    },
  };
}

/** The `code` enum of a problem schema as `errorResponses` writes it. */
function codesOf(schema: unknown): string[] | undefined {
  const parts = (schema as { allOf?: unknown[] } | undefined)?.allOf ?? [];
  for (const part of parts) {
    const codes = (part as { properties?: { code?: { enum?: string[] } } }).properties?.code?.enum;
    if (codes !== undefined) return codes;
  }
  return undefined;
}
