import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { FileStorage, StoredFile } from '../../application/support/file-storage.ts';
import { sweepStaleUploads, TEMP_PREFIX, type StaleUploadSweeper } from './stale-uploads.ts';
import { isStorageKey, newStorageKey, spoolUpload, type UploadLimits } from './upload-pipeline.ts';

/**
 * Attachments as files named by their key in one directory (created when missing). An upload is
 * written to a temporary file beside the final one, flushed to disk, then renamed into place: a
 * reader never sees half a file, and a failed or rejected upload leaves nothing behind.
 */
export class LocalDiskFileStorage implements FileStorage, StaleUploadSweeper {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = resolve(dir);
  }

  async put(body: ReadableStream<Uint8Array>, options: UploadLimits): Promise<StoredFile> {
    await mkdir(this.#dir, { recursive: true });
    const key = newStorageKey();
    // In the same directory as the files, so the final rename is atomic.
    const temp = join(this.#dir, `${TEMP_PREFIX}${key}.tmp`);
    const facts = await spoolUpload(body, temp, options, { durable: true });
    try {
      await rename(temp, join(this.#dir, key));
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return { key, ...facts };
  }

  async get(
    key: string,
  ): Promise<{ body: ReadableStream<Uint8Array>; sizeBytes: number } | undefined> {
    if (!isStorageKey(key)) return undefined;
    let file: FileHandle;
    try {
      file = await open(join(this.#dir, key), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const { size } = await file.stat();
      // The read stream owns the handle from here and closes it at the end, on error or on cancel.
      const body = Readable.toWeb(file.createReadStream()) as ReadableStream<Uint8Array>;
      return { body, sizeBytes: size };
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    if (!isStorageKey(key)) return;
    await rm(join(this.#dir, key), { force: true });
  }

  sweepStaleUploads(olderThan: Date): Promise<number> {
    return sweepStaleUploads(this.#dir, olderThan);
  }
}
