import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** In-flight uploads: dot files, so they never look like a stored key. */
export const TEMP_PREFIX = '.upload-';
const TEMP_FILE = /^\.upload-[0-9a-f-]{36}\.tmp$/;

/**
 * Far beyond the HTTP server's request timeout (30 s) and an S3 send with its retries, so no
 * upload still in progress has a temporary file left unwritten this long.
 */
export const STALE_UPLOAD_AGE_MS = 15 * 60_000;

/** A storage that spools uploads to temporary files, which a killed process leaves behind. */
export interface StaleUploadSweeper {
  /** Removes temporary upload files last written before `olderThan`; resolves how many. */
  sweepStaleUploads(olderThan: Date): Promise<number>;
}

/** Removes `.upload-*.tmp` files in `dir` last modified before `olderThan`; a missing dir is empty. */
export async function sweepStaleUploads(dir: string, olderThan: Date): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let removed = 0;
  for (const name of names.filter((n) => TEMP_FILE.test(n))) {
    const path = join(dir, name);
    // A file finished (renamed) or swept by another process meanwhile is no longer ours to count.
    const stats = await stat(path).catch(() => undefined);
    if (stats === undefined || stats.mtimeMs >= olderThan.getTime()) continue;
    await rm(path, { force: true });
    removed += 1;
  }
  return removed;
}
