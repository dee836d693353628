import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

// ajv-formats ships CommonJS with a default export that Node's ESM loader wraps once more; its
// types name the ajv copy it depends on, not the root one.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

interface AsyncApiDocument {
  components: { messages: { notification: { payload: object } } };
}

/** A draft-07 validator of the `notification` message payload of an AsyncAPI document. */
export function notificationFrameValidator(document: unknown): ValidateFunction {
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats(ajv);
  return ajv.compile((document as AsyncApiDocument).components.messages.notification.payload);
}

let committed: ValidateFunction | undefined;

/**
 * Throws unless `frame` is a message that the committed openapi/asyncapi.yaml declares, so every
 * frame a test receives holds the server to its WebSocket contract.
 */
export function assertDeclaredFrame(frame: unknown): void {
  committed ??= notificationFrameValidator(
    parse(readFileSync(new URL('../../../openapi/asyncapi.yaml', import.meta.url), 'utf8')),
  );
  if (!committed(frame)) {
    const errors = JSON.stringify(committed.errors);
    throw new Error(`a WebSocket frame breaks openapi/asyncapi.yaml: ${errors}`);
  }
}
