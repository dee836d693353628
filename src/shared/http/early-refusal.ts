import type { Http2Bindings, HttpBindings } from '@hono/node-server';
import { IncomingMessage } from 'node:http';

/** How much of a refused request's unread body the server still reads, and for how long. */
export interface DrainBounds {
  /** Body bytes read and dropped after the answer; one more and the connection is cut. */
  maxBytes: number;
  /** Time allowed for the client to finish sending after the answer was written. */
  maxMs: number;
}

/**
 * Room for a client that sends its whole body before it reads the answer: an 11 MB upload refused
 * at its headers still ends cleanly, a 50 MB one is cut off.
 */
export const EARLY_REFUSAL_DRAIN: DrainBounds = { maxBytes: 16 * 1024 * 1024, maxMs: 5_000 };

export type FetchHandler = (
  request: Request,
  env: HttpBindings | Http2Bindings,
) => Response | Promise<Response>;

/**
 * Makes answers given before the request body was fully received (413, 415, a refused upload,
 * 401 before a body) readable by ordinary clients. Such an answer carries `Connection: close`,
 * so no client sends another request into the rest of the body. Node would then close the socket
 * as soon as the answer is written, and a client still sending gets a TCP reset that discards
 * the answer (EPIPE/ECONNRESET instead of the status). Here the server half-closes after the
 * answer and keeps reading and dropping the body within `bounds`, then closes (RFC 9112 §9.6).
 * WebSocket upgrades (no `outgoing`) pass through untouched.
 */
export function readableEarlyRefusals(
  fetch: FetchHandler,
  bounds: DrainBounds = EARLY_REFUSAL_DRAIN,
): FetchHandler {
  return async (request, env) => {
    const response = await fetch(request, env);
    const { incoming, outgoing } = env;
    // HTTP/2 streams end on their own; only HTTP/1.1 connections carry one body after another.
    if (outgoing === undefined || !(incoming instanceof IncomingMessage) || incoming.complete) {
      return response;
    }
    drainAfterAnswer(incoming, bounds);
    const headers = new Headers(response.headers);
    headers.set('Connection', 'close');
    return new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  };
}

/**
 * Reads and drops the rest of the body from now on, within `bounds`. Node ends a
 * `Connection: close` exchange with `socket.destroySoon()` once the answer is written; that call
 * now only half-closes, and the connection is dropped when the body ends or a bound is reached.
 */
function drainAfterAnswer(incoming: IncomingMessage, bounds: DrainBounds): void {
  const socket = incoming.socket;
  let answered = false;
  let enough = false;
  let closing = false;
  const close = () => {
    enough = true;
    clearTimeout(timer);
    // The answer goes out first: until it is written, just stop reading.
    if (!answered) return void incoming.pause();
    if (closing) return;
    closing = true;
    // The FIN is queued behind the answer: drop the connection once both are out.
    if (socket.writableFinished) socket.destroy();
    else socket.once('finish', () => socket.destroy());
  };
  const timer = setTimeout(close, bounds.maxMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.destroySoon = () => {
    if (answered) return;
    answered = true;
    socket.end();
    if (enough) close();
  };

  let drained = 0;
  // Whoever read part of the body (a parser that gave up on it) must not hold it paused; and a
  // body being read is not dumped by Node, so every dropped byte is counted here.
  incoming.removeAllListeners('data');
  incoming.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > bounds.maxBytes) close();
  });
  incoming.once('end', close);
  incoming.once('error', close);
  incoming.resume();
}
