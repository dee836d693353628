import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Arrival {
  headers: IncomingHttpHeaders;
  body: string;
  /** `Date.now()` when the whole body had arrived. */
  at: number;
}

/**
 * What the receiver does with request number `index` (from 0): answer with a status (after
 * `afterMs`, as a receiver doing some work), or hold it open without answering until it closes.
 */
export type Script = (index: number) => { status: number; afterMs?: number } | 'hold';

/**
 * A real HTTP endpoint that records every request and every TCP connection it is sent, and answers
 * as its script says (a test fails the first few and accepts the rest, or holds one open).
 */
export class ScriptedReceiver {
  readonly arrivals: Arrival[] = [];
  /** TCP connections accepted, whether or not a request followed. */
  connections = 0;
  /** Requests whose answer has not been sent yet, now and at most so far. */
  inFlight = 0;
  maxInFlight = 0;
  script: Script = () => ({ status: 204 });
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private waiters: Array<() => void> = [];

  private constructor() {
    this.server = createServer((req, res) => {
      this.inFlight += 1;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      res.on('close', () => (this.inFlight -= 1));
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const index = this.arrivals.length;
        this.arrivals.push({
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        });
        const answer = this.script(index);
        // A held request gets no answer: its socket stays open until the receiver closes.
        if (answer !== 'hold') {
          const respond = () => res.writeHead(answer.status).end();
          if (answer.afterMs) setTimeout(respond, answer.afterMs);
          else respond();
        }
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
    this.server.on('connection', (socket: Socket) => {
      this.connections += 1;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Listens on `host` (127.0.0.1 by default) and `port` (any free one by default). */
  static async start(options: { host?: string; port?: number } = {}): Promise<ScriptedReceiver> {
    const receiver = new ScriptedReceiver();
    await new Promise<void>((resolve, reject) => {
      receiver.server.once('error', reject);
      receiver.server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
    });
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Resolves once `count` requests arrived (fails after `timeoutMs`). */
  async waitFor(count: number, timeoutMs = 10_000): Promise<Arrival[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.arrivals.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.arrivals.length} of ${count} requests arrived`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.arrivals.slice(0, count);
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A port nothing listens on (it was free a moment ago): connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const probe = await ScriptedReceiver.start();
  const port = probe.port;
  await probe.close();
  return port;
}
