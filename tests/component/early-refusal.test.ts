import { connect } from 'node:net';
import { fetch, Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type RunningServer } from '../../src/server.ts';
import { MULTIPART_OVERHEAD_BYTES } from '../../src/modules/tasks/adapters/http/multipart-upload.ts';
import { ATTACHMENT_MAX_BYTES } from '../../src/modules/tasks/domain/attachment.ts';
import { EARLY_REFUSAL_DRAIN } from '../../src/shared/http/early-refusal.ts';
import { register, type Signed } from '../support/identity/http-client.ts';
import { createTasksTestApp, TasksClient, type TasksTestApp } from '../support/tasks/http-tasks.ts';
import { multipartBody, multipartFraming, multipartType } from '../support/tasks/multipart.ts';

const MiB = 1024 * 1024;
const SIZES = [
  ['2 MiB', 2 * MiB],
  ['11 MB', 11_000_000],
  ['50 MB', 50_000_000],
] as const;
const FRAMINGS = ['fixed-length', 'streamed'] as const;
type Framing = (typeof FRAMINGS)[number];
const CHUNK = 256 * 1024;

let t: TasksTestApp;
let server: RunningServer;
let origin: string;
let owner: Signed;
let stranger: Signed;
let ownTaskId: string;
let foreignTaskId: string;

beforeAll(async () => {
  t = await createTasksTestApp();
  server = await startHttpServer(t.container, 0, '127.0.0.1');
  origin = `http://127.0.0.1:${server.port}`;
  owner = await register(t);
  stranger = await register(t);
  ownTaskId = (await new TasksClient(t, owner).createTask()).id;
  foreignTaskId = (await new TasksClient(t, stranger).createTask()).id;
});

afterAll(async () => {
  await server?.close(1_000);
  await t?.close();
});

const filler = Buffer.alloc(CHUNK, 0x61);

/** `size` bytes: a prefix, then filler (only what the server reads first has to make sense). */
function bodyOf(
  prefix: Buffer,
  size: number,
  framing: Framing,
): Uint8Array | AsyncIterable<Buffer> {
  if (framing === 'fixed-length') {
    const whole = Buffer.alloc(size, 0x61);
    prefix.copy(whole);
    return whole;
  }
  return (async function* () {
    yield prefix;
    for (let sent = prefix.length; sent < size; sent += CHUNK) {
      yield sent + CHUNK <= size ? filler : filler.subarray(0, size - sent);
    }
  })();
}

const uploadPrefix = () => multipartFraming([{ filename: 'big.bin' }]).heads[0] as Buffer;

interface Refusal {
  name: string;
  path: () => string;
  contentType: string;
  prefix: () => Buffer;
  token?: () => string;
  status: number;
  code: string;
  /** A declared length over the upload allowance is refused before anything else is checked. */
  declaredTooLarge?: boolean;
  sizes: ReadonlyArray<readonly [string, number]>;
}

const REFUSALS: Refusal[] = [
  {
    name: 'a JSON body over its 1 MiB limit',
    path: () => '/api/v1/tasks',
    contentType: 'application/json',
    prefix: () => Buffer.from('{"title":"'),
    token: () => owner.accessToken,
    status: 413,
    code: 'payload_too_large',
    sizes: SIZES,
  },
  {
    name: 'an upload over its 10 MiB limit',
    path: () => `/api/v1/tasks/${ownTaskId}/attachments`,
    contentType: multipartType(),
    prefix: uploadPrefix,
    token: () => owner.accessToken,
    status: 413,
    code: 'payload_too_large',
    sizes: SIZES.slice(1),
  },
  {
    name: 'an upload to a task the caller cannot see',
    path: () => `/api/v1/tasks/${foreignTaskId}/attachments`,
    contentType: multipartType(),
    prefix: uploadPrefix,
    token: () => owner.accessToken,
    status: 404,
    code: 'not_found',
    declaredTooLarge: true,
    sizes: SIZES,
  },
  {
    name: 'an upload without credentials',
    path: () => `/api/v1/tasks/${ownTaskId}/attachments`,
    contentType: multipartType(),
    prefix: uploadPrefix,
    status: 401,
    code: 'unauthenticated',
    sizes: SIZES,
  },
  {
    name: 'an upload that is not multipart',
    path: () => `/api/v1/tasks/${ownTaskId}/attachments`,
    contentType: 'application/octet-stream',
    prefix: () => Buffer.alloc(0),
    token: () => owner.accessToken,
    status: 415,
    code: 'unsupported_media_type',
    sizes: SIZES,
  },
];

const UPLOAD_ALLOWANCE = ATTACHMENT_MAX_BYTES + MULTIPART_OVERHEAD_BYTES;

const CLIENTS = ['undici', 'Node fetch'] as const;
type Client = (typeof CLIENTS)[number];

/**
 * Two requests through one client: undici's `fetch` on a one-connection pool, or Node's own
 * `fetch` on its global agent, which reuses any connection that was left open.
 */
function clientOf(kind: Client): { send: typeof fetch; close(): Promise<void> } {
  if (kind === 'Node fetch') {
    return {
      send: (url, init) => globalThis.fetch(url, init as RequestInit) as ReturnType<typeof fetch>,
      close: async () => undefined,
    };
  }
  const pool = new Pool(origin, { connections: 1 });
  return {
    send: (url, init) => fetch(url, { ...init, dispatcher: pool }),
    close: () => pool.close(),
  };
}

const cases = REFUSALS.flatMap((refusal) =>
  refusal.sizes.flatMap(([label, size]) =>
    FRAMINGS.map((framing) => {
      const tooLarge =
        refusal.declaredTooLarge === true && framing === 'fixed-length' && size > UPLOAD_ALLOWANCE;
      const answer = tooLarge
        ? { status: 413, code: 'payload_too_large' }
        : { status: refusal.status, code: refusal.code };
      return { refusal, label, size, framing, ...answer };
    }),
  ),
);

describe('an answer given before the body was read', () => {
  it.each(
    CLIENTS.flatMap((kind) =>
      cases.map((c) => [c.refusal.name, c.label, c.framing, kind, c] as const),
    ),
  )(
    '%s (%s, %s) reaches %s, and the same client serves the next request',
    async (_name, _label, _framing, kind, { refusal, size, framing, status, code }) => {
      const client = clientOf(kind);
      try {
        const res = await client.send(`${origin}${refusal.path()}`, {
          method: 'POST',
          headers: {
            'Content-Type': refusal.contentType,
            ...(refusal.token ? { Authorization: `Bearer ${refusal.token()}` } : {}),
          },
          body: bodyOf(refusal.prefix(), size, framing),
          duplex: 'half',
        });
        expect(res.status).toBe(status);
        expect(res.headers.get('connection')).toBe('close');
        expect(res.headers.get('content-type')).toBe('application/problem+json');
        expect(await res.json()).toMatchObject({ status, code });

        // Not sent into the rest of the first body, nor on a connection the server is closing.
        const next = await client.send(`${origin}/api/v1/users/me`, {
          headers: { Authorization: `Bearer ${owner.accessToken}` },
        });
        expect(next.status).toBe(200);
        expect(await next.json()).toMatchObject({ id: owner.userId });
      } finally {
        await client.close();
      }
    },
  );

  it.each([
    ['a JSON body refused after it was read', '/api/v1/tasks', 'application/json', 400],
    ['a 2 MiB upload that is stored', 'attachments', multipartType(), 201],
  ] as const)('keeps the connection alive for %s', async (_name, target, contentType, status) => {
    const pool = new Pool(origin, { connections: 1 });
    const upload = target === 'attachments';
    try {
      const first = await fetch(
        upload ? `${origin}/api/v1/tasks/${ownTaskId}/attachments` : `${origin}${target}`,
        {
          dispatcher: pool,
          method: 'POST',
          headers: { 'Content-Type': contentType, Authorization: `Bearer ${owner.accessToken}` },
          body: upload
            ? multipartBody([{ filename: 'notes.txt', content: filler.toString().repeat(8) }])
            : '{"title":"ab"}',
        },
      );
      expect(first.status).toBe(status);
      expect(first.headers.get('connection')).toBe('keep-alive');
      await first.arrayBuffer();
    } finally {
      await pool.close();
    }
  });
});

interface RawExchange {
  response: string;
  bytesWritten: number;
  error: string | undefined;
}

/**
 * A client that sends its whole body whatever the server answers meanwhile, as simple clients
 * do: it ends cleanly, with the answer, only if the server reads on after answering.
 */
function sendToTheEnd(path: string, size: number): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = connect({ port: server.port, host: '127.0.0.1', allowHalfOpen: true });
    const received: Buffer[] = [];
    let bytesWritten = 0;
    let error: string | undefined;
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.on('close', () =>
      resolve({ response: Buffer.concat(received).toString('latin1'), bytesWritten, error }),
    );
    socket.once('connect', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
          `Authorization: Bearer ${owner.accessToken}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${size}\r\n\r\n`,
      );
      const pump = () => {
        while (bytesWritten < size && !socket.destroyed) {
          const chunk = filler.subarray(0, Math.min(CHUNK, size - bytesWritten));
          bytesWritten += chunk.length;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
        // Sent in full: now wait for the server to end the exchange.
        if (!socket.destroyed) socket.end();
      };
      pump();
    });
  });
}

describe('the bounded drain after an early answer', () => {
  it('reads the rest of a body within the bound, then closes cleanly after the answer', async () => {
    const size = 11_000_000;
    const exchange = await sendToTheEnd('/api/v1/tasks', size);

    expect(exchange.bytesWritten).toBe(size);
    expect(exchange.error).toBeUndefined();
    expect(exchange.response).toMatch(/^HTTP\/1\.1 413 /);
    expect(exchange.response.toLowerCase()).toContain('connection: close');
    expect(exchange.response).toContain('"code":"payload_too_large"');
  });

  it('cuts off a client that keeps sending beyond the bound', async () => {
    const size = 1024 * MiB;
    const exchange = await sendToTheEnd('/api/v1/tasks', size);

    expect(exchange.bytesWritten).toBeLessThan(size);
    expect(exchange.bytesWritten).toBeGreaterThan(EARLY_REFUSAL_DRAIN.maxBytes);
    expect(['EPIPE', 'ECONNRESET']).toContain(exchange.error);
    expect(exchange.response).toMatch(/^HTTP\/1\.1 413 /);
  });
});
