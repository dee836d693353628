/**
 * Reads the one file of a `multipart/form-data` upload as a stream, for a route to hand straight
 * to `FileStorage.put`:
 *
 *   const upload = await readSingleFile(c.req.raw, { maxBytes: MAX_ATTACHMENT_BYTES });
 *   // upload.filename (sanitised), upload.declaredContentType, upload.stream
 *
 * `readSingleFile` resolves once the `file` part's headers are read (fields before it are
 * skipped); it throws `UploadRejectedError` for a wrong media type (415), a `Content-Length` over
 * the allowance (413, nothing read), or a body without a usable `file` part (400). The stream then
 * yields the part's bytes and closes only after the rest of the body proved clean, so a second
 * file arriving after the first still fails the upload; it errors with `UploadRejectedError` when
 * the file passes `maxBytes` or the body its allowance (413, reading stops at once) or when the
 * rest is malformed (400). `put` rejects with that same error, which is a `ProblemError`: left
 * to propagate, `onError` renders it; `uploadProblem` also maps storage's own rejections.
 *
 * Check what can be checked (auth, the task's visibility) before calling this. A route that ends
 * up not consuming the stream should `cancel()` it and answer with `Connection: close`.
 */
import {
  ProblemError,
  validationProblem,
  type ProblemInit,
} from '../../../../shared/http/problem.ts';
import {
  FileTooLargeError,
  UnsupportedContentTypeError,
} from '../../application/support/file-storage.ts';
import { sanitizeFileName } from './file-name.ts';
import {
  MultipartBodyTooLargeError,
  MultipartReader,
  MultipartSyntaxError,
  type PartHeaders,
} from './multipart-reader.ts';

const FILE_PART = 'file';
/** Room for the boundaries, the part headers and a few small fields around the file. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;
const MAX_PARTS = 16;

export interface FileUpload {
  /** Sanitised; a label, never a path. */
  filename: string;
  /** The part's `Content-Type`, if it sent one: to be checked against the bytes, never trusted. */
  declaredContentType: string | undefined;
  stream: ReadableStream<Uint8Array>;
}

export interface ReadSingleFileOptions {
  /** The largest file accepted (exactly this many bytes pass; one more fails). */
  maxBytes: number;
  /** What the whole body may add to `maxBytes`; `MULTIPART_OVERHEAD_BYTES` by default. */
  overheadBytes?: number;
}

/**
 * The OpenAPI `request.body` of an upload route. The schema is plain JSON Schema on purpose: with
 * a zod schema, zod-openapi would install its form validator, which buffers the whole body.
 */
export const singleFileRequestBody = {
  required: true,
  description: `One part \`${FILE_PART}\` holding the file.`,
  content: {
    'multipart/form-data': {
      schema: {
        type: 'object' as const,
        properties: { [FILE_PART]: { type: 'string' as const, format: 'binary' } },
        required: [FILE_PART],
      },
    },
  },
};

/**
 * An upload refused by the multipart layer; a `ProblemError` carrying its 400, 413 or 415. The
 * refusal may leave part of the body unread, so the connection cannot carry another request:
 * the answer says `Connection: close`, or a keep-alive client would send its next request on a
 * socket the server is about to drop.
 */
export class UploadRejectedError extends ProblemError {
  constructor(init: ProblemInit) {
    super({ ...init, headers: { ...init.headers, Connection: 'close' } });
    this.name = 'UploadRejectedError';
  }
}

export async function readSingleFile(
  request: Pick<Request, 'headers' | 'body'>,
  options: ReadSingleFileOptions,
): Promise<FileUpload> {
  const boundary = multipartBoundary(request.headers.get('content-type'));
  const maxBodyBytes = options.maxBytes + (options.overheadBytes ?? MULTIPART_OVERHEAD_BYTES);
  const declaredLength = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declaredLength > maxBodyBytes) throw tooLarge(options.maxBytes);
  if (request.body === null) throw invalid(FILE_PART, 'A part "file" with the file is required');

  const reader = new MultipartReader(request.body, boundary, maxBodyBytes);
  try {
    let headers: PartHeaders | undefined;
    let parts = 0;
    while ((headers = await nextPart(reader, ++parts)) !== undefined) {
      const part = describe(headers);
      if (part.name === FILE_PART) {
        return {
          filename: sanitizeFileName(part.filename),
          declaredContentType: headers.get('content-type') || undefined,
          stream: fileStream(reader, options.maxBytes, parts),
        };
      }
      if (part.filename !== undefined) throw onlyOneFile(part.name);
    }
    throw invalid(FILE_PART, 'A part "file" with the file is required');
  } catch (error) {
    const rejection = asRejection(error, options.maxBytes);
    await reader.cancel(rejection);
    throw rejection;
  }
}

/** The problem for an upload refused here or by `FileStorage.put`; `undefined` for anything else. */
export function uploadProblem(error: unknown): ProblemInit | undefined {
  if (error instanceof UploadRejectedError) return error.init;
  if (error instanceof FileTooLargeError) {
    return { ...tooLarge().init, detail: `${error.message}.` };
  }
  if (error instanceof UnsupportedContentTypeError) {
    return { ...unsupportedMediaType().init, detail: `${error.message}.` };
  }
  return undefined;
}

function fileStream(
  reader: MultipartReader,
  maxBytes: number,
  partsSoFar: number,
): ReadableStream<Uint8Array> {
  let sizeBytes = 0;
  let parts = partsSoFar;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const chunk = await reader.readBody();
          if (chunk !== undefined) {
            sizeBytes += chunk.byteLength;
            if (sizeBytes > maxBytes) throw tooLarge(maxBytes);
            controller.enqueue(chunk);
            return;
          }
          let headers: PartHeaders | undefined;
          while ((headers = await nextPart(reader, ++parts)) !== undefined) {
            const part = describe(headers);
            if (part.name === FILE_PART || part.filename !== undefined) {
              throw onlyOneFile(part.name);
            }
          }
          controller.close();
        } catch (error) {
          const rejection = asRejection(error, maxBytes);
          await reader.cancel(rejection);
          controller.error(rejection);
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}

async function nextPart(
  reader: MultipartReader,
  ordinal: number,
): Promise<PartHeaders | undefined> {
  const headers = await reader.nextPart();
  if (headers !== undefined && ordinal > MAX_PARTS) {
    throw invalid('body', `A multipart body may have at most ${MAX_PARTS} parts`);
  }
  return headers;
}

function multipartBoundary(contentType: string | null): string {
  const [type = '', ...parameters] = (contentType ?? '').split(';');
  if (type.trim().toLowerCase() !== 'multipart/form-data') throw unsupportedMediaType();
  for (const parameter of parameters) {
    const match = /^\s*boundary\s*=\s*(?:"([^"]*)"|([^\s"]*))\s*$/i.exec(parameter);
    const boundary = match?.[1] ?? match?.[2];
    if (boundary === undefined) continue;
    if (!/^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/.test(boundary)) break;
    return boundary;
  }
  throw invalid('Content-Type', 'A valid multipart boundary is required');
}

interface PartDescription {
  name: string | undefined;
  filename: string | undefined;
}

/** `Content-Disposition: form-data; name="file"; filename="a.png"; filename*=UTF-8''a.png`. */
function describe(headers: PartHeaders): PartDescription {
  const disposition = headers.get('content-disposition');
  if (disposition === undefined) throw invalid('body', 'A part has no Content-Disposition');
  const [type = '', ...rest] = splitParameters(disposition);
  if (type.toLowerCase() !== 'form-data') throw invalid('body', 'A part is not form-data');
  const parameters = new Map<string, string>();
  for (const parameter of rest) {
    const match = /^([^=\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|(.*))$/s.exec(parameter);
    if (!match?.[1]) continue;
    const key = match[1].toLowerCase();
    const value = match[2] === undefined ? (match[3] ?? '') : match[2].replace(/\\(["\\])/g, '$1');
    if (!parameters.has(key)) parameters.set(key, value);
  }
  const name = parameters.get('name');
  if (name === undefined) throw invalid('body', 'A part has no name');
  const extended = parameters.get('filename*');
  return {
    name,
    filename:
      (extended === undefined ? undefined : decodeExtended(extended)) ?? parameters.get('filename'),
  };
}

/** Splits on `;` outside quoted strings. */
function splitParameters(value: string): string[] {
  return (value.match(/(?:[^;"]|"(?:[^"\\]|\\.)*"?)+/g) ?? []).map((part) => part.trim());
}

/** RFC 8187 `charset'lang'percent-encoded`; `undefined` when it cannot be decoded. */
function decodeExtended(value: string): string | undefined {
  const match = /^([\w!#$%&+^`{}~-]+)'[^']*'(.*)$/.exec(value);
  if (!match?.[1] || match[2] === undefined) return undefined;
  const charset = match[1].toLowerCase();
  try {
    if (charset === 'utf-8') return decodeURIComponent(match[2]);
    if (charset === 'iso-8859-1') {
      return match[2].replace(/%([0-9a-f]{2})/gi, (_, hex: string) =>
        String.fromCharCode(parseInt(hex, 16)),
      );
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function asRejection(error: unknown, maxBytes: number): unknown {
  if (error instanceof MultipartBodyTooLargeError) return tooLarge(maxBytes);
  if (error instanceof MultipartSyntaxError) return invalid('body', error.message);
  return error;
}

const tooLarge = (maxBytes?: number) =>
  new UploadRejectedError({
    status: 413,
    code: 'payload_too_large',
    title: 'Payload too large',
    ...(maxBytes === undefined ? {} : { detail: `The file may not exceed ${maxBytes} bytes.` }),
  });

const unsupportedMediaType = () =>
  new UploadRejectedError({
    status: 415,
    code: 'unsupported_media_type',
    title: 'Unsupported media type',
    detail: 'Send multipart/form-data with one part "file".',
  });

const invalid = (field: string, message: string) =>
  new UploadRejectedError(validationProblem([{ field, message }]));

const onlyOneFile = (name: string | undefined) =>
  invalid(name ?? FILE_PART, 'Send exactly one file, in the part "file"');
