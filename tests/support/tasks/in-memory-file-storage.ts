import { createHash } from 'node:crypto';
import {
  FileTooLargeError,
  UnsupportedContentTypeError,
  type FileStorage,
  type StoredFile,
} from '../../../src/modules/tasks/application/support/file-storage.ts';

interface Blob {
  bytes: Uint8Array;
  contentType: string;
}

/**
 * Keeps blobs in a map and honours the port's contract: reads the stream, gives up past
 * `maxBytes` keeping nothing, and refuses declared types it was told contradict the bytes.
 */
export class InMemoryFileStorage implements FileStorage {
  readonly blobs = new Map<string, Blob>();
  private readonly refusedTypes = new Set<string>();
  private deleteFailure: Error | undefined;
  private counter = 0;

  async put(
    body: ReadableStream<Uint8Array>,
    options: { maxBytes: number; declaredContentType?: string },
  ): Promise<StoredFile> {
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > options.maxBytes) throw new FileTooLargeError(options.maxBytes);
      chunks.push(chunk);
    }
    const declared = options.declaredContentType;
    if (declared && this.refusedTypes.has(declared)) throw new UnsupportedContentTypeError();
    const bytes = new Uint8Array(Buffer.concat(chunks));
    this.counter += 1;
    const key = `blob-${this.counter}`;
    const contentType = declared ?? 'application/octet-stream';
    this.blobs.set(key, { bytes, contentType });
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return { key, sizeBytes: bytes.byteLength, sha256, contentType };
  }

  async get(key: string) {
    const blob = this.blobs.get(key);
    if (!blob) return undefined;
    return { body: streamOf(blob.bytes), sizeBytes: blob.bytes.byteLength };
  }

  async delete(key: string): Promise<void> {
    const failure = this.deleteFailure;
    this.deleteFailure = undefined;
    if (failure) throw failure;
    this.blobs.delete(key);
  }

  /** Makes `put` answer this declared type as contradicting the bytes. */
  refuse(contentType: string): void {
    this.refusedTypes.add(contentType);
  }

  failNextDelete(error = new Error('storage unavailable')): void {
    this.deleteFailure = error;
  }

  /** Seeds a blob directly; returns its key. */
  seed(bytes: Uint8Array, contentType = 'text/plain'): string {
    this.counter += 1;
    const key = `blob-${this.counter}`;
    this.blobs.set(key, { bytes, contentType });
    return key;
  }
}

export function streamOf(bytes: Uint8Array, chunkSize = 64 * 1024): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}
