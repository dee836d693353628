import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  FileTooLargeError,
  UnsupportedContentTypeError,
} from '../../../src/modules/tasks/application/support/file-storage.ts';
import { S3FileStorage } from '../../../src/modules/tasks/adapters/storage/s3-file-storage.ts';
import { fileOfSize, samples, sha256, streamOf } from '../../support/tasks/file-samples.ts';
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from '../../support/tasks/local-s3.ts';

const MiB = 1024 * 1024;
let s3: LocalS3;
let spoolDir: string;
let storage: S3FileStorage;

beforeAll(async () => {
  s3 = await startLocalS3();
});

afterAll(async () => {
  await s3.stop();
});

beforeEach(async () => {
  spoolDir = await mkdtemp(join(tmpdir(), 's3-spool-'));
  storage = storageFor(s3.bucket);
});

afterEach(async () => {
  storage.close();
  await rm(spoolDir, { recursive: true, force: true });
});

function storageFor(bucket: string, endpoint = s3.endpoint): S3FileStorage {
  return new S3FileStorage({
    bucket,
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: LOCAL_S3_CREDENTIALS,
    spoolDir,
  });
}

/** A proxy to the local S3 that answers the first `failures` object uploads with a 503. */
async function flakyProxy(
  failures: number,
): Promise<{ endpoint: string; server: Server; failed: () => number }> {
  const target = new URL(s3.endpoint);
  let left = failures;
  const server = createServer((req, res) => {
    if (req.method === 'PUT' && (req.url ?? '').split('/').length > 2 && left-- > 0) {
      req.resume();
      req.on('end', () => {
        res.writeHead(503, { 'Content-Type': 'application/xml' });
        res.end('<Error><Code>ServiceUnavailable</Code><Message>try again</Message></Error>');
      });
      return;
    }
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    server,
    failed: () => failures - Math.max(left, 0),
  };
}

async function keysInBucket(): Promise<string[]> {
  const listing = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
  return (listing.Contents ?? []).map((object) => object.Key ?? '');
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('S3FileStorage', () => {
  it('uploads a file under a new random key with its sniffed type and streams it back', async () => {
    const content = fileOfSize(10 * MiB, samples.pdf);
    const stored = await storage.put(streamOf(content).stream, {
      maxBytes: 10 * MiB,
      declaredContentType: 'application/pdf',
    });

    expect(stored).toEqual({
      key: expect.stringMatching(/^[0-9a-f-]{36}$/),
      sizeBytes: content.length,
      sha256: sha256(content),
      contentType: 'application/pdf',
    });
    const head = await s3.client.send(
      new HeadObjectCommand({ Bucket: s3.bucket, Key: stored.key }),
    );
    expect(head).toMatchObject({ ContentLength: content.length, ContentType: 'application/pdf' });

    const found = await storage.get(stored.key);
    expect(found?.sizeBytes).toBe(content.length);
    expect(sha256(await readAll(found!.body))).toBe(sha256(content));
    expect(await readdir(spoolDir)).toEqual([]);
  });

  it('rejects one byte past maxBytes without creating an object', async () => {
    const before = await keysInBucket();
    const source = streamOf(fileOfSize(MiB + 1));
    await expect(storage.put(source.stream, { maxBytes: MiB })).rejects.toBeInstanceOf(
      FileTooLargeError,
    );
    expect(source.cancelled()).toBe(true);
    expect(await keysInBucket()).toEqual(before);
    expect(await readdir(spoolDir)).toEqual([]);
  });

  it('rejects a spoofed declared type without creating an object', async () => {
    const before = await keysInBucket();
    await expect(
      storage.put(streamOf(samples.exe).stream, {
        maxBytes: MiB,
        declaredContentType: 'image/jpeg',
      }),
    ).rejects.toBeInstanceOf(UnsupportedContentTypeError);
    expect(await keysInBucket()).toEqual(before);
    expect(await readdir(spoolDir)).toEqual([]);
  });

  it('rejects with the source error when the body fails midway, leaving no object', async () => {
    const before = await keysInBucket();
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
    expect(await keysInBucket()).toEqual(before);
    expect(await readdir(spoolDir)).toEqual([]);
  });

  it('cleans up its spool file when S3 refuses the upload', async () => {
    const missing = storageFor(`missing-${s3.bucket}`);
    try {
      await expect(
        missing.put(streamOf(Buffer.from('hello')).stream, { maxBytes: MiB }),
      ).rejects.toMatchObject({ name: 'NoSuchBucket' });
      expect(await readdir(spoolDir)).toEqual([]);
    } finally {
      missing.close();
    }
  });

  it('sends the upload again from its spool file when S3 fails transiently', async () => {
    const proxy = await flakyProxy(2);
    const flaky = storageFor(s3.bucket, proxy.endpoint);
    try {
      const content = fileOfSize(2 * MiB, samples.zip);
      const stored = await flaky.put(streamOf(content).stream, { maxBytes: 10 * MiB });
      expect(proxy.failed()).toBe(2);
      const found = await storage.get(stored.key);
      expect(sha256(await readAll(found!.body))).toBe(sha256(content));
      expect(await readdir(spoolDir)).toEqual([]);
    } finally {
      flaky.close();
      proxy.server.close();
    }
  });

  it('answers undefined for unknown and malformed keys', async () => {
    expect(await storage.get('0193a1f2-8b7c-4d4e-9f00-1a2b3c4d5e6f')).toBeUndefined();
    expect(await storage.get('../other-bucket/key')).toBeUndefined();
  });

  it('deletes an object, and deleting a missing one is fine', async () => {
    const stored = await storage.put(streamOf(Buffer.from('bye')).stream, { maxBytes: MiB });
    expect(await keysInBucket()).toContain(stored.key);
    await storage.delete(stored.key);
    expect(await storage.get(stored.key)).toBeUndefined();
    await storage.delete(stored.key);
    expect(await keysInBucket()).not.toContain(stored.key);
  });
});
