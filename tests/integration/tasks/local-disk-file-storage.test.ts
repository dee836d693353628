import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FileTooLargeError,
  UnsupportedContentTypeError,
} from '../../../src/modules/tasks/application/support/file-storage.ts';
import { LocalDiskFileStorage } from '../../../src/modules/tasks/adapters/storage/local-disk-file-storage.ts';
import { fileOfSize, samples, sha256, streamOf } from '../../support/tasks/file-samples.ts';

const MiB = 1024 * 1024;
let root: string;
let dir: string;
let storage: LocalDiskFileStorage;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'local-storage-'));
  dir = join(root, 'nested', 'attachments');
  storage = new LocalDiskFileStorage(dir);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('LocalDiskFileStorage', () => {
  it('stores a file under a new random key, creating the directory, and streams it back', async () => {
    const content = fileOfSize(3 * MiB + 7, samples.png);
    const stored = await storage.put(streamOf(content).stream, {
      maxBytes: 10 * MiB,
      declaredContentType: 'image/png',
    });

    expect(stored).toEqual({
      key: expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      ),
      sizeBytes: content.length,
      sha256: sha256(content),
      contentType: 'image/png',
    });
    expect(await readdir(dir)).toEqual([stored.key]);
    expect(sha256(await readFile(join(dir, stored.key)))).toBe(sha256(content));
    expect((await stat(join(dir, stored.key))).mode & 0o777).toBe(0o600);

    const found = await storage.get(stored.key);
    expect(found?.sizeBytes).toBe(content.length);
    expect(sha256(await readAll(found!.body))).toBe(sha256(content));
  });

  it('stores the sniffed type, not the declared one', async () => {
    const stored = await storage.put(streamOf(samples.pdf).stream, { maxBytes: MiB });
    expect(stored.contentType).toBe('application/pdf');
    const text = await storage.put(streamOf(Buffer.from('hello')).stream, {
      maxBytes: MiB,
      declaredContentType: 'application/octet-stream',
    });
    expect(text.contentType).toBe('text/plain');
  });

  it('accepts exactly maxBytes, including an empty file', async () => {
    const content = fileOfSize(MiB);
    const stored = await storage.put(streamOf(content).stream, { maxBytes: MiB });
    expect(stored.sizeBytes).toBe(MiB);
    const empty = await storage.put(streamOf(Buffer.alloc(0)).stream, { maxBytes: MiB });
    expect(empty).toMatchObject({ sizeBytes: 0, sha256: sha256(Buffer.alloc(0)) });
  });

  it('rejects one byte past maxBytes, stops reading and keeps nothing', async () => {
    const source = streamOf(fileOfSize(5 * MiB), 64 * 1024);
    await expect(storage.put(source.stream, { maxBytes: MiB })).rejects.toBeInstanceOf(
      FileTooLargeError,
    );
    expect(source.pulled()).toBeLessThanOrEqual(MiB + 64 * 1024);
    expect(source.cancelled()).toBe(true);
    expect(await readdir(dir)).toEqual([]);

    const justOver = streamOf(fileOfSize(MiB + 1));
    await expect(storage.put(justOver.stream, { maxBytes: MiB })).rejects.toBeInstanceOf(
      FileTooLargeError,
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('rejects a declared type the bytes contradict before writing anything', async () => {
    const source = streamOf(fileOfSize(2 * MiB, samples.exe));
    await expect(
      storage.put(source.stream, { maxBytes: 10 * MiB, declaredContentType: 'image/png' }),
    ).rejects.toBeInstanceOf(UnsupportedContentTypeError);
    expect(source.cancelled()).toBe(true);
    expect(source.pulled()).toBeLessThan(MiB);
    expect(await readdir(dir)).toEqual([]);
  });

  it('rejects with the source error when the body fails midway, keeping nothing', async () => {
    const failure = new Error('client went away');
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 3) return controller.error(failure);
        sent += 1;
        controller.enqueue(fileOfSize(64 * 1024));
      },
    });
    await expect(storage.put(body, { maxBytes: MiB })).rejects.toBe(failure);
    expect(await readdir(dir)).toEqual([]);
  });

  it('answers undefined for unknown and malformed keys, never leaving the directory', async () => {
    await storage.put(streamOf(Buffer.from('secret')).stream, { maxBytes: MiB });
    expect(await storage.get('0193a1f2-8b7c-4d4e-9f00-1a2b3c4d5e6f')).toBeUndefined();
    expect(await storage.get('../nested/attachments')).toBeUndefined();
    expect(await storage.get('')).toBeUndefined();
    await storage.delete('../../etc/passwd');
  });

  it('deletes a file, and deleting a missing one is fine', async () => {
    const stored = await storage.put(streamOf(Buffer.from('bye')).stream, { maxBytes: MiB });
    await storage.delete(stored.key);
    expect(await storage.get(stored.key)).toBeUndefined();
    await storage.delete(stored.key);
    expect(await readdir(dir)).toEqual([]);
  });
});
