import { serve, type ServerType } from '@hono/node-server';
import { createRoute } from '@hono/zod-openapi';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { request, type ClientRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fileDownloadResponse } from '../../../src/modules/tasks/adapters/http/file-download.ts';
import {
  MULTIPART_OVERHEAD_BYTES,
  readSingleFile,
  singleFileRequestBody,
  uploadProblem,
} from '../../../src/modules/tasks/adapters/http/multipart-upload.ts';
import { LocalDiskFileStorage } from '../../../src/modules/tasks/adapters/storage/local-disk-file-storage.ts';
import { createHttpApp } from '../../../src/shared/http/create-app.ts';
import { problem } from '../../../src/shared/http/problem.ts';
import { createLogger } from '../../../src/shared/infra/logger.ts';
import { createMetrics } from '../../../src/shared/infra/metrics.ts';
import { fileOfSize, samples, sha256 } from '../../support/tasks/file-samples.ts';
import {
  multipartBody,
  multipartFraming,
  multipartType,
  type PartSpec,
} from '../../support/tasks/multipart.ts';

const MiB = 1024 * 1024;
const LIMIT = 10 * MiB;
const CHUNK = 64 * 1024;
/** What the server may read past the file limit: the multipart allowance and one socket chunk. */
const READ_CEILING = LIMIT + MULTIPART_OVERHEAD_BYTES + CHUNK;

/** Bytes the handler pulled from the request body and handed to storage, per request. */
const probe = { requestBytes: 0, storedBytes: 0 };

function counting(source: ReadableStream<Uint8Array>, add: (bytes: number) => void) {
  const reader = source.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        add(value.byteLength);
        controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}

function uploadApp(storage: LocalDiskFileStorage) {
  const app = createHttpApp({
    logger: createLogger({ level: 'silent' }),
    metrics: createMetrics(),
    corsOrigins: [],
    bodyLimitExempt: (path) => path === '/upload',
  });
  const uploadRoute = createRoute({
    method: 'post',
    path: '/upload',
    request: { body: singleFileRequestBody },
    responses: { 201: { description: 'Stored' } },
  });
  app.openapi(uploadRoute, async (c) => {
    const body = c.req.raw.body && counting(c.req.raw.body, (n) => (probe.requestBytes += n));
    try {
      const upload = await readSingleFile(
        { headers: c.req.raw.headers, body },
        { maxBytes: LIMIT },
      );
      const stored = await storage.put(
        counting(upload.stream, (n) => (probe.storedBytes += n)),
        { maxBytes: LIMIT, declaredContentType: upload.declaredContentType },
      );
      return c.json({ ...stored, filename: upload.filename }, 201);
    } catch (error) {
      const init = uploadProblem(error);
      if (init) return problem(c, init);
      throw error;
    }
  });
  app.post('/json', async (c) => c.json(await c.req.json()));
  app.get('/files/:key', async (c) => {
    const file = await storage.get(c.req.param('key'));
    if (!file) return c.notFound();
    return fileDownloadResponse({
      ...file,
      contentType: c.req.query('type') ?? 'application/octet-stream',
      filename: c.req.query('name') ?? 'file',
    });
  });
  return app;
}

interface Sent {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Body bytes the client managed to hand to its socket before it got the answer. */
  bytesSent: number;
}

/**
 * One request through a real socket. With `contentLength` the body is announced up front;
 * without, Node sends it chunked. Sending stops as soon as the response arrives.
 */
function send(
  path: string,
  body: Iterable<Uint8Array>,
  {
    headers = {},
    contentLength,
  }: { headers?: Record<string, string>; contentLength?: number } = {},
): Promise<Sent> {
  return new Promise((resolve, reject) => {
    let bytesSent = 0;
    let answered = false;
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      method: 'POST',
      headers: {
        'content-type': multipartType(),
        ...(contentLength === undefined ? {} : { 'content-length': String(contentLength) }),
        ...headers,
      },
    });
    const gotAnswer = new Promise<void>((done) => req.once('response', () => done()));
    req.once('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          bytesSent,
        });
        req.destroy();
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    void (async () => {
      for (const chunk of body) {
        if (answered || req.destroyed) return;
        bytesSent += chunk.byteLength;
        if (!req.write(chunk)) await writable(req, gotAnswer);
      }
      if (!answered && !req.destroyed) req.end();
    })();
  });
}

/** Resolves when the request can take more, has closed, or was answered. */
function writable(req: ClientRequest, answered: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('drain', done);
      req.off('close', done);
      resolve();
    };
    req.on('drain', done);
    req.on('close', done);
    void answered.then(done);
  });
}

/** A multipart body around a file of `size` bytes, generated as it is sent. */
function* streamedUpload(
  size: number,
  part: Omit<PartSpec, 'content'> = {},
): Generator<Uint8Array> {
  const { heads, tail } = multipartFraming([{ filename: 'big.bin', ...part }]);
  yield heads[0] as Buffer;
  const block = fileOfSize(CHUNK);
  for (let sent = 0; sent < size; sent += CHUNK) {
    yield sent + CHUNK <= size ? block : block.subarray(0, size - sent);
  }
  yield tail;
}

const uploadLength = (size: number) => {
  const { heads, tail } = multipartFraming([{ filename: 'big.bin' }]);
  return (heads[0] as Buffer).length + size + tail.length;
};

const json = (sent: Sent) => JSON.parse(sent.body.toString()) as Record<string, unknown>;

let root: string;
let dir: string;
let server: ServerType;
let port: number;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'upload-component-'));
  dir = join(root, 'attachments');
  server = serve({
    fetch: uploadApp(new LocalDiskFileStorage(dir)).fetch,
    hostname: '127.0.0.1',
    port: 0,
  });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(root, { recursive: true, force: true });
});

beforeEach(async () => {
  probe.requestBytes = 0;
  probe.storedBytes = 0;
  await rm(dir, { recursive: true, force: true });
});

const filesInStore = async () => readdir(dir).catch(() => [] as string[]);

describe('multipart upload through a real server', () => {
  it.each([
    ['with Content-Length', true],
    ['chunked', false],
  ])('accepts exactly 10 MiB %s and stores it byte for byte', async (_name, announce) => {
    const content = fileOfSize(LIMIT, samples.binary);
    const body = multipartBody([
      { filename: 'exact.bin', contentType: 'application/octet-stream', content },
    ]);
    const chunks = Array.from({ length: Math.ceil(body.length / CHUNK) }, (_, i) =>
      body.subarray(i * CHUNK, (i + 1) * CHUNK),
    );
    const sent = await send('/upload', chunks, announce ? { contentLength: body.length } : {});

    expect(sent.status).toBe(201);
    const stored = json(sent);
    expect(stored).toMatchObject({
      sizeBytes: LIMIT,
      sha256: sha256(content),
      contentType: 'application/octet-stream',
      filename: 'exact.bin',
    });
    expect(await filesInStore()).toEqual([stored.key]);
    expect(sha256(await readFile(join(dir, String(stored.key))))).toBe(sha256(content));
  });

  it.each([
    ['with Content-Length', true],
    ['chunked', false],
  ])(
    'rejects 10 MiB + 1 %s, reading no more than the limit and keeping nothing',
    async (_name, announce) => {
      const size = LIMIT + 1;
      const sent = await send(
        '/upload',
        streamedUpload(size),
        announce ? { contentLength: uploadLength(size) } : {},
      );

      expect(sent.status).toBe(413);
      expect(sent.headers['content-type']).toBe('application/problem+json');
      expect(json(sent)).toMatchObject({ code: 'payload_too_large', status: 413 });
      expect(probe.storedBytes).toBeLessThanOrEqual(LIMIT);
      expect(probe.requestBytes).toBeLessThanOrEqual(READ_CEILING);
      expect(await filesInStore()).toEqual([]);
    },
  );

  it('refuses a Content-Length over the allowance without reading the body at all', async () => {
    const size = 50 * MiB;
    const sent = await send('/upload', streamedUpload(size), { contentLength: uploadLength(size) });

    expect(sent.status).toBe(413);
    expect(json(sent)).toMatchObject({ code: 'payload_too_large' });
    expect(probe.requestBytes).toBe(0);
    expect(sent.bytesSent).toBeLessThan(size);
  });

  it('stops reading a 50 MiB chunked upload at the limit, before the client is done sending', async () => {
    const size = 50 * MiB;
    const sent = await send('/upload', streamedUpload(size));

    expect(sent.status).toBe(413);
    expect(probe.requestBytes).toBeLessThanOrEqual(READ_CEILING);
    expect(sent.bytesSent).toBeLessThan(size);
    expect(await filesInStore()).toEqual([]);
  });

  it('keeps memory bounded while refusing a 60 MiB chunked upload', async () => {
    global.gc?.();
    const before = process.memoryUsage().rss;
    const sent = await send('/upload', streamedUpload(60 * MiB));
    const growth = process.memoryUsage().rss - before;

    expect(sent.status).toBe(413);
    expect(probe.requestBytes).toBeLessThanOrEqual(READ_CEILING);
    expect(growth).toBeLessThan(40 * MiB);
  });

  it('refuses a declared type the bytes contradict with 415, keeping nothing', async () => {
    const body = multipartBody([
      { filename: 'cat.png', contentType: 'image/png', content: fileOfSize(MiB, samples.pdf) },
    ]);
    const sent = await send('/upload', [body]);

    expect(sent.status).toBe(415);
    expect(json(sent)).toMatchObject({ code: 'unsupported_media_type', status: 415 });
    expect(await filesInStore()).toEqual([]);
  });

  it('stores the sniffed type whatever harmless type was declared', async () => {
    const sent = await send('/upload', [
      multipartBody([
        { filename: 'scan', contentType: 'application/octet-stream', content: samples.pdf },
      ]),
    ]);
    expect(sent.status).toBe(201);
    expect(json(sent)).toMatchObject({ contentType: 'application/pdf', filename: 'scan' });
  });

  it('sanitises a path-traversal file name and never uses it as a path', async () => {
    const sent = await send('/upload', [
      multipartBody([{ filename: '../../../etc/passwd', content: 'root:x:0:0' }]),
    ]);

    expect(sent.status).toBe(201);
    const stored = json(sent);
    expect(stored.filename).toBe('passwd');
    expect(await readdir(root)).toEqual(['attachments']);
    expect(await filesInStore()).toEqual([stored.key]);
  });

  it.each<[string, PartSpec[], string]>([
    ['no file part', [{ name: 'title', content: 'hello' }], 'file'],
    [
      'two file parts',
      [
        { name: 'file', filename: 'a.txt', content: 'one' },
        { name: 'file', filename: 'b.txt', content: 'two' },
      ],
      'file',
    ],
    [
      'a file in another part',
      [
        { name: 'file', filename: 'a.txt', content: 'one' },
        { name: 'avatar', filename: 'me.png', content: samples.png },
      ],
      'avatar',
    ],
  ])('answers 400 validation_failed for %s, keeping nothing', async (_name, parts, field) => {
    const sent = await send('/upload', [multipartBody(parts)]);

    expect(sent.status).toBe(400);
    expect(json(sent)).toMatchObject({
      code: 'validation_failed',
      errors: [{ field, message: expect.any(String) }],
    });
    expect(await filesInStore()).toEqual([]);
  });

  it('answers 415 for a body that is not multipart/form-data', async () => {
    const sent = await send('/upload', [Buffer.from('{"file": "x"}')], {
      headers: { 'content-type': 'application/json' },
    });
    expect(sent.status).toBe(415);
    expect(json(sent)).toMatchObject({ code: 'unsupported_media_type' });
  });

  it('leaves the 1 MiB JSON limit in place on other paths', async () => {
    const sent = await send('/json', [Buffer.from(`"${'x'.repeat(MiB + 10)}"`)], {
      headers: { 'content-type': 'application/json' },
    });
    expect(sent.status).toBe(413);
  });

  it('serves a stored file back as a download with safe headers', async () => {
    const uploaded = json(
      await send('/upload', [multipartBody([{ filename: 'r.pdf', content: samples.pdf }])]),
    );
    const name = encodeURIComponent('Bericht "Q1"\r\nX-Evil: 1 – Grüße.pdf');
    const res = await fetch(
      `http://127.0.0.1:${port}/files/${String(uploaded.key)}?type=application/pdf&name=${name}`,
    );

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-length')).toBe(String(samples.pdf.length));
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="Bericht _Q1_X-Evil: 1 _ Gr__e.pdf"; ` +
        `filename*=UTF-8''Bericht%20%22Q1%22X-Evil%3A%201%20%E2%80%93%20Gr%C3%BC%C3%9Fe.pdf`,
    );
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('x-evil')).toBeNull();
    expect(Buffer.from(await res.arrayBuffer())).toEqual(samples.pdf);
  });
});
