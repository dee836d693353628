import { WebSocket } from 'ws';
import { startHttpServer, type RunningServer } from '../../../src/server.ts';
import type { TestApp } from '../test-app.ts';
import { assertDeclaredFrame } from './asyncapi-frames.ts';
import type { NotificationJson } from './notifications-kit.ts';

export interface LiveClient {
  socket: WebSocket;
  /** Every notification received so far, in arrival order. */
  received: NotificationJson[];
  /** Resolves once `count` notifications have arrived (in all), or rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<NotificationJson[]>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export interface SocketOptions {
  token?: string;
  ticket?: string;
  after?: string;
  origin?: string;
  autoPong?: boolean;
  headers?: Record<string, string>;
}

export function startServer(t: TestApp): Promise<RunningServer> {
  return startHttpServer(t.container, 0, '127.0.0.1');
}

function socketUrl(port: number, options: SocketOptions): string {
  const url = new URL(`ws://127.0.0.1:${port}/api/v1/ws`);
  if (options.ticket !== undefined) url.searchParams.set('ticket', options.ticket);
  if (options.after !== undefined) url.searchParams.set('after', options.after);
  return url.toString();
}

function connect(port: number, options: SocketOptions): WebSocket {
  return new WebSocket(socketUrl(port, options), {
    headers: {
      ...options.headers,
      ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
    },
    ...(options.origin ? { origin: options.origin } : {}),
    autoPong: options.autoPong ?? true,
  });
}

/** Opens a socket; rejects with the HTTP status when the server refuses the upgrade. */
export function openSocket(port: number, options: SocketOptions): Promise<LiveClient> {
  const socket = connect(port, options);
  const received: NotificationJson[] = [];
  const waiters: Array<() => void> = [];
  const undeclared: Error[] = [];
  socket.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString('utf8')) as { type: string; data: NotificationJson };
    try {
      assertDeclaredFrame(frame);
    } catch (error) {
      undeclared.push(error as Error);
      // Also fails a test that never waits for another frame.
      queueMicrotask(() => {
        throw error;
      });
    }
    if (frame.type === 'notification') received.push(frame.data);
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const client: LiveClient = {
    socket,
    received,
    closed,
    close: () => socket.close(),
    async waitFor(count, timeoutMs = 3_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (undeclared[0]) throw undeclared[0];
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new Error(`expected ${count} notifications, got ${received.length}`);
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      if (undeclared[0]) throw undeclared[0];
      return received.slice(0, count);
    },
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(client));
    socket.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', () => {
        reject(new RefusedUpgrade(res.statusCode ?? 0, res.headers, Buffer.concat(chunks)));
        socket.terminate();
      });
      res.once('error', (error) => reject(error));
    });
    socket.once('error', (error) => reject(error));
  });
}

export class RefusedUpgrade extends Error {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  constructor(
    status: number,
    headers: Record<string, string | string[] | undefined>,
    body: Buffer,
  ) {
    super(`upgrade refused with ${status}`);
    this.status = status;
    this.headers = headers;
    this.body = body.toString('utf8');
  }

  /** The problem+json body of the refusal. */
  problem(): { status: number; code: string; request_id: string } {
    return JSON.parse(this.body) as { status: number; code: string; request_id: string };
  }
}

/** The status of a refused upgrade (fails the test if the socket opened). */
export async function refusal(port: number, options: SocketOptions): Promise<RefusedUpgrade> {
  try {
    const client = await openSocket(port, options);
    client.close();
  } catch (error) {
    if (error instanceof RefusedUpgrade) return error;
    throw error;
  }
  throw new Error('the socket opened');
}

/** Lets in-flight frames arrive: for asserting that nothing (more) comes. */
export const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));
