import { createHash, randomUUID } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import {
  FileTooLargeError,
  UnsupportedContentTypeError,
} from '../../application/support/file-storage.ts';
import { declaredTypeFits, SNIFF_BYTES, sniff } from './content-sniffing.ts';

/** Storage keys are random UUIDs, never derived from anything the client sent. */
export const newStorageKey = (): string => randomUUID();

const STORAGE_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Anything but a key this code made is refused before it reaches a path or an object name. */
export const isStorageKey = (key: string): boolean => STORAGE_KEY.test(key);

export interface UploadFacts {
  sizeBytes: number;
  sha256: string;
  contentType: string;
}

export interface UploadLimits {
  maxBytes: number;
  declaredContentType?: string;
}

/**
 * Reads `body` to its end and hands each chunk to `write`, awaiting it, so the destination sets
 * the pace and at most one chunk (plus the sniffed head) is in memory. Bytes are counted and
 * hashed as they pass; the first `SNIFF_BYTES` are held back until their type is judged, so a
 * contradicted upload never reaches the destination at all.
 *
 * Past `maxBytes` it stops reading (the source is cancelled) and rejects with
 * `FileTooLargeError`; the chunk that crossed the limit is never written. If the source errors,
 * it rejects with that same error. Either way, removing what was written is the caller's job.
 */
async function pumpUpload(
  body: ReadableStream<Uint8Array>,
  limits: UploadLimits,
  write: (chunk: Uint8Array) => Promise<void>,
): Promise<UploadFacts> {
  const hash = createHash('sha256');
  const reader = body.getReader();
  let sizeBytes = 0;
  let head: Uint8Array[] | undefined = [];
  let contentType = '';

  const judge = async (chunks: Uint8Array[], complete: boolean) => {
    const bytes = Buffer.concat(chunks);
    const sniffed = sniff(bytes.subarray(0, SNIFF_BYTES), complete && bytes.length <= SNIFF_BYTES);
    if (!declaredTypeFits(limits.declaredContentType, sniffed)) {
      throw new UnsupportedContentTypeError("The file's content does not match its declared type");
    }
    contentType = sniffed.contentType;
    if (bytes.length > 0) await write(bytes);
  };

  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      sizeBytes += value.byteLength;
      if (sizeBytes > limits.maxBytes) throw new FileTooLargeError(limits.maxBytes);
      hash.update(value);
      if (head === undefined) {
        await write(value);
        continue;
      }
      head.push(value);
      if (sizeBytes >= SNIFF_BYTES) {
        const chunks = head;
        head = undefined;
        await judge(chunks, false);
      }
    }
    if (head !== undefined) await judge(head, true);
  } catch (error) {
    // Stops the source (and so the request body) from being read any further.
    await reader.cancel(error).catch(() => undefined);
    throw error;
  }
  return { sizeBytes, sha256: hash.digest('hex'), contentType };
}

/**
 * `pumpUpload` into a new file at `path` (created exclusively, owner-only). On any failure the
 * file is removed before the error is rethrown. `durable` flushes it to disk before resolving.
 */
export async function spoolUpload(
  body: ReadableStream<Uint8Array>,
  path: string,
  limits: UploadLimits,
  { durable = false }: { durable?: boolean } = {},
): Promise<UploadFacts> {
  try {
    const file = await open(path, 'wx', 0o600);
    let facts: UploadFacts;
    try {
      facts = await pumpUpload(body, limits, (chunk) => writeFully(file, chunk));
      if (durable) await file.datasync();
    } catch (error) {
      await file.close().catch(() => undefined);
      throw error;
    }
    await file.close();
    return facts;
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}

async function writeFully(file: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await file.write(chunk, offset);
    offset += bytesWritten;
  }
}
