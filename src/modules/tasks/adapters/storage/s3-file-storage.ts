import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import type { FileStorage, StoredFile } from '../../application/support/file-storage.ts';
import { sweepStaleUploads, TEMP_PREFIX, type StaleUploadSweeper } from './stale-uploads.ts';
import {
  isStorageKey,
  newStorageKey,
  spoolUpload,
  type UploadFacts,
  type UploadLimits,
} from './upload-pipeline.ts';

export interface S3FileStorageOptions {
  bucket: string;
  region?: string;
  /** For S3-compatible servers (MinIO, a local test server, ...). */
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Defaults to the SDK's chain (environment, shared config, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Where uploads are spooled before they are sent; the OS temp directory by default. */
  spoolDir?: string;
  /** Sends of one upload before giving up; 3 by default. */
  maxAttempts?: number;
}

const RETRY_DELAY_MS = 200;

const NETWORK_ERRORS = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

/** Worth another attempt: the SDK never retries a request whose body is a stream. */
function isTransient(error: unknown): boolean {
  const e = error as
    | {
        $retryable?: unknown;
        $metadata?: { httpStatusCode?: number };
        code?: string;
        name?: string;
      }
    | undefined;
  if (e?.$retryable !== undefined) return true;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined) return status === 429 || status >= 500;
  return e?.name === 'TimeoutError' || NETWORK_ERRORS.has(e?.code ?? '');
}

const SILENT = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * Attachments as objects named by their key.
 *
 * An upload is first spooled to a temporary file, then sent with one `PutObject` of known length
 * and its SHA-256 (which S3 verifies). Spooling keeps memory at one chunk per upload whatever the
 * size, where `@aws-sdk/lib-storage` would hold 5 MiB parts per upload; and since the size limit
 * and the content check are settled before anything is sent, a rejected upload never creates an
 * object or an unfinished multipart upload. The cost is a local write of at most `maxBytes`.
 */
export class S3FileStorage implements FileStorage, StaleUploadSweeper {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #spoolDir: string;
  readonly #maxAttempts: number;

  constructor(options: S3FileStorageOptions) {
    this.#bucket = options.bucket;
    this.#spoolDir = options.spoolDir ?? join(tmpdir(), 'task-manager-uploads');
    this.#maxAttempts = options.maxAttempts ?? 3;
    this.#client = new S3Client({
      region: options.region ?? 'us-east-1',
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      forcePathStyle: options.forcePathStyle ?? false,
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      // We send our own SHA-256. The SDK's default CRC32 on every upload would switch the body to
      // `aws-chunked` encoding with a trailer, which several S3-compatible servers store verbatim.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // Its only warning is that it cannot retry a streamed upload; `#send` retries instead.
      logger: SILENT,
    });
  }

  async put(body: ReadableStream<Uint8Array>, options: UploadLimits): Promise<StoredFile> {
    await mkdir(this.#spoolDir, { recursive: true });
    const key = newStorageKey();
    const spool = join(this.#spoolDir, `${TEMP_PREFIX}${key}.tmp`);
    try {
      const facts = await spoolUpload(body, spool, options);
      await this.#send(key, spool, facts);
      return { key, ...facts };
    } finally {
      await rm(spool, { force: true });
    }
  }

  /** One `PutObject`, re-reading the spool file on each attempt. */
  async #send(key: string, spool: string, facts: UploadFacts): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#client.send(
          new PutObjectCommand({
            Bucket: this.#bucket,
            Key: key,
            Body: createReadStream(spool),
            ContentLength: facts.sizeBytes,
            ContentType: facts.contentType,
            ChecksumSHA256: Buffer.from(facts.sha256, 'hex').toString('base64'),
          }),
        );
        return;
      } catch (error) {
        if (attempt < this.#maxAttempts && isTransient(error)) {
          await setTimeout(RETRY_DELAY_MS * attempt);
          continue;
        }
        // A timed-out or interrupted request may still have stored the object.
        await this.delete(key).catch(() => undefined);
        throw error;
      }
    }
  }

  async get(
    key: string,
  ): Promise<{ body: ReadableStream<Uint8Array>; sizeBytes: number } | undefined> {
    if (!isStorageKey(key)) return undefined;
    try {
      const object = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: key }),
      );
      if (object.Body === undefined || object.ContentLength === undefined) {
        throw new Error(`S3 returned no body or length for object ${key}`);
      }
      const body = object.Body.transformToWebStream() as ReadableStream<Uint8Array>;
      return { body, sizeBytes: object.ContentLength };
    } catch (error) {
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) {
        return undefined;
      }
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    if (!isStorageKey(key)) return;
    // S3 answers 204 whether or not the object existed.
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
  }

  /** Spool files of a process killed mid-upload; objects are never half-written in S3. */
  sweepStaleUploads(olderThan: Date): Promise<number> {
    return sweepStaleUploads(this.#spoolDir, olderThan);
  }

  /** Closes the client's sockets (on shutdown). */
  close(): void {
    this.#client.destroy();
  }
}
