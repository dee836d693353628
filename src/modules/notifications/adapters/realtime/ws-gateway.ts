import type { WebSocketLike } from '@hono/node-server';
import type { WSEvents } from 'hono/ws';
import type { Redis } from 'ioredis';
import type { WebSocket } from 'ws';
import type { Logger } from '../../../../shared/infra/logger.ts';
import { continueTraces } from '../../../../shared/infra/tracing.ts';
import type { LiveSessions, SessionPrincipal } from '../../application/ports.ts';
import type { Notification } from '../../domain/notification.ts';
import type { NotificationsUseCases } from '../../notifications.use-cases.ts';
import { LiveConnection } from './live-connection.ts';
import { decodeLiveEnvelope, LIVE_CHANNEL } from './live-message.ts';
import { decodeRevokedSessions, REVOKED_SESSIONS_CHANNEL } from './session-revocations.ts';

/** Clients only listen; a message bigger than this closes its socket (1009). */
export const WS_MAX_CLIENT_MESSAGE_BYTES = 4 * 1024;

/** How often each socket is pinged by default. */
export const DEFAULT_HEARTBEAT_MS = 30_000;

/** Close codes the client sees (4000–4999 are the application's). */
export const CLOSE = {
  goingAway: 1001,
  sessionEnded: 4401,
  /** The user opened more than `maxSocketsPerUser` sockets here: this, the oldest, was closed. */
  socketLimit: 4409,
  /** The client sent more frames than `clientFrames` allows. */
  tooManyFrames: 4429,
} as const;

/** Sessions asked about in one query. */
const SESSION_CHECK_BATCH = 500;
export type DropReason = 'slow' | 'dead' | 'error' | 'session' | 'socket_limit' | 'flood';

export interface WsGatewayHooks {
  connected?(count: number): void;
  sent?(notification: Notification): void;
  dropped?(reason: DropReason): void;
  /** An upgrade request answered with this status instead of a socket. */
  refused?(status: number): void;
}

/** A token bucket per socket: `burst` frames at once, refilled at `perSecond`. */
export interface ClientFrameLimit {
  burst: number;
  perSecond: number;
}

export const DEFAULT_CLIENT_FRAMES: ClientFrameLimit = { burst: 20, perSecond: 2 };

export interface WsGatewayOptions {
  logger: Logger;
  useCases: Pick<NotificationsUseCases, 'readLiveFeed'>;
  /** Identity's verdict on the sessions of open sockets. */
  liveSessions: Pick<LiveSessions, 'endedAmong'>;
  /** A new connection for subscribing (a subscribed connection can do nothing else). */
  subscriber: () => Redis;
  /** Runs database work in its own ORM context. */
  scope: <T>(work: () => Promise<T>) => Promise<T>;
  /** Ping period; a socket that has not answered the previous ping is dropped. */
  heartbeatMs?: number;
  /**
   * How often every open socket's session is checked against the database: the longest a socket
   * outlives its session when the revocation announcement is lost (plus one sweep's duration).
   */
  sessionCheckMs?: number;
  maxBufferedBytes?: number;
  catchUpBatch?: number;
  /** Open sockets one user may hold on this instance; a new one past it closes their oldest. */
  maxSocketsPerUser?: number;
  /** Clients only listen: frames (messages and pings) beyond this close the socket. */
  clientFrames?: ClientFrameLimit;
  hooks?: WsGatewayHooks;
}

/**
 * The WebSocket side of one API instance: its open sockets by user and by session, fed from the
 * Redis channel every relay publishes on. It closes sockets whose session ends: at once when the
 * revocation is announced, otherwise at the next session check (`sessionCheckMs`, 10 s by default).
 */
export class WsGateway {
  private readonly options: Required<Omit<WsGatewayOptions, 'hooks'>> & { hooks: WsGatewayHooks };
  private readonly byUser = new Map<string, Set<LiveConnection>>();
  private readonly bySession = new Map<string, Set<LiveConnection>>();
  private subscriber: Redis | undefined;
  private timers: NodeJS.Timeout[] = [];
  private checking = false;

  constructor(options: WsGatewayOptions) {
    this.options = {
      heartbeatMs: DEFAULT_HEARTBEAT_MS,
      sessionCheckMs: 10_000,
      maxBufferedBytes: 1024 * 1024,
      catchUpBatch: 100,
      maxSocketsPerUser: 10,
      clientFrames: DEFAULT_CLIENT_FRAMES,
      hooks: {},
      ...options,
    };
  }

  get connectionCount(): number {
    let count = 0;
    for (const set of this.byUser.values()) count += set.size;
    return count;
  }

  /** Subscribes and starts the timers; resolves once subscribed (or at once if Redis is down). */
  async start(): Promise<void> {
    const { logger, heartbeatMs, sessionCheckMs } = this.options;
    const subscriber = this.options.subscriber();
    this.subscriber = subscriber;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === LIVE_CHANNEL) {
        const { notifications, trace } = decodeLiveEnvelope(message);
        if (!trace) void this.deliver(notifications);
        else {
          // The push continues the relay's trace, and lasts until the frames are written.
          const span = continueTraces('notifications.push', [trace], {
            'messaging.batch.message_count': notifications.length,
          });
          void span.run(() => this.deliver(notifications)).finally(() => span.end());
        }
      } else if (channel === REVOKED_SESSIONS_CHANNEL) {
        for (const id of decodeRevokedSessions(message)) this.endSession(id);
      }
    });
    let subscribedOnce = false;
    subscriber.on('ready', () => {
      // Messages published while the subscription was down are lost: read them from the inbox.
      if (subscribedOnce) for (const connection of this.all()) connection.catchUp();
      subscribedOnce = true;
    });
    await subscriber
      .subscribe(LIVE_CHANNEL, REVOKED_SESSIONS_CHANNEL)
      .catch((error: unknown) =>
        logger.warn(
          { err: { message: (error as Error).message } },
          'live feed subscription pending',
        ),
      );
    this.timers = [
      setInterval(() => this.heartbeat(), heartbeatMs),
      setInterval(() => void this.checkSessions(), sessionCheckMs),
    ];
    for (const timer of this.timers) timer.unref();
  }

  /** Closes every socket (1001) and the subscription. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    const sockets = [...this.all()].map((connection) => connection.socket);
    await Promise.all(sockets.map((socket) => closeWithin(socket, CLOSE.goingAway, 1_000)));
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  /** The socket events of a connection authorised for `principal`, feeding from `afterSeq`. */
  events(principal: SessionPrincipal, afterSeq: number): WSEvents<WebSocketLike> {
    let connection: LiveConnection | undefined;
    return {
      onOpen: (_event, ws) => {
        connection = this.connect(ws.raw as unknown as WebSocket, principal, afterSeq);
      },
      onClose: () => {
        if (connection) this.disconnect(connection);
      },
    };
  }

  private connect(socket: WebSocket, principal: SessionPrincipal, afterSeq: number) {
    const { useCases, scope, maxBufferedBytes, catchUpBatch, hooks, logger } = this.options;
    const connection = new LiveConnection(socket, principal, afterSeq, {
      read: (userId, seq, limit) =>
        scope(async () => useCases.readLiveFeed.execute({ userId, afterSeq: seq, limit })).then(
          (result) => result.unwrapOr([]),
        ),
      maxBufferedBytes,
      catchUpBatch,
      onSent: (notification) => hooks.sent?.(notification),
      onDropped: (reason, error) => {
        const err = error instanceof Error ? { message: error.message } : undefined;
        logger.warn({ userId: principal.userId, reason, err }, 'live socket dropped');
        hooks.dropped?.(reason);
      },
    });
    socket.on('pong', () => (connection.alive = true));
    this.throttleFrames(connection);
    add(this.byUser, principal.userId, connection);
    add(this.bySession, principal.sessionId, connection);
    this.enforceSocketLimit(principal.userId);
    hooks.connected?.(this.connectionCount);
    logger.debug({ userId: principal.userId, afterSeq }, 'live socket opened');
    connection.catchUp();
    return connection;
  }

  /** Past the cap, the user's oldest sockets make room (the newest is the one in use). */
  private enforceSocketLimit(userId: string): void {
    const { maxSocketsPerUser, hooks, logger } = this.options;
    const mine = this.byUser.get(userId);
    if (!mine) return;
    for (const oldest of mine) {
      if (mine.size <= maxSocketsPerUser) return;
      // Forgotten at once, so sockets still closing never count against the cap.
      this.disconnect(oldest);
      logger.info(
        { userId, limit: maxSocketsPerUser },
        'live socket limit reached: closing the oldest',
      );
      hooks.dropped?.('socket_limit');
      oldest.socket.close(CLOSE.socketLimit, 'too many sockets for this user');
    }
  }

  private throttleFrames(connection: LiveConnection): void {
    const { burst, perSecond } = this.options.clientFrames;
    let tokens = burst;
    let last = performance.now();
    const onFrame = () => {
      const now = performance.now();
      tokens = Math.min(burst, tokens + ((now - last) / 1000) * perSecond);
      last = now;
      tokens -= 1;
      if (tokens >= 0) return;
      connection.socket.off('message', onFrame);
      connection.socket.off('ping', onFrame);
      this.options.logger.warn(
        { userId: connection.principal.userId },
        'live socket dropped: too many client frames',
      );
      this.options.hooks.dropped?.('flood');
      connection.socket.close(CLOSE.tooManyFrames, 'too many messages');
      // A flooding client may not complete the closing handshake either.
      setTimeout(() => connection.socket.terminate(), 1_000).unref();
    };
    connection.socket.on('message', onFrame);
    connection.socket.on('ping', onFrame);
  }

  private disconnect(connection: LiveConnection): void {
    remove(this.byUser, connection.principal.userId, connection);
    remove(this.bySession, connection.principal.sessionId, connection);
    this.options.hooks.connected?.(this.connectionCount);
    this.options.logger.debug({ userId: connection.principal.userId }, 'live socket closed');
  }

  /** Hands each socket its user's notifications; resolves when those sockets are done with them. */
  private async deliver(notifications: Notification[]): Promise<void> {
    const byUser = new Map<string, Notification[]>();
    for (const n of notifications) {
      if (this.byUser.has(n.userId)) byUser.set(n.userId, [...(byUser.get(n.userId) ?? []), n]);
    }
    const pending: Array<Promise<void>> = [];
    for (const [userId, mine] of byUser) {
      for (const connection of this.byUser.get(userId) ?? []) {
        connection.deliver(mine);
        pending.push(connection.idle());
      }
    }
    await Promise.all(pending);
  }

  private endSession(sessionId: string): void {
    const connections = this.bySession.get(sessionId) ?? new Set<LiveConnection>();
    if (connections.size > 0) {
      this.options.logger.info({ sessionId }, 'closing the sockets of an ended session');
    }
    for (const connection of connections) {
      this.options.hooks.dropped?.('session');
      connection.socket.close(CLOSE.sessionEnded, 'session ended');
    }
  }

  private heartbeat(): void {
    for (const connection of this.all()) {
      if (!connection.alive) {
        this.options.logger.info(
          { userId: connection.principal.userId },
          'live socket dropped: no answer to the last ping',
        );
        this.options.hooks.dropped?.('dead');
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }

  /**
   * Asks identity, in batches, which sessions with open sockets have ended; one sweep at a time.
   * It reads the database, not the session cache, so the sweep interval bounds how long a socket
   * outlives its session even when both the announcement and the cache write were lost.
   */
  private async checkSessions(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const principals = [...this.bySession.values()].flatMap((connections) => {
        const [first] = connections;
        return first ? [first.principal] : [];
      });
      for (let start = 0; start < principals.length; start += SESSION_CHECK_BATCH) {
        const batch = principals.slice(start, start + SESSION_CHECK_BATCH);
        const ended = await this.options.scope(async () =>
          this.options.liveSessions.endedAmong(batch),
        );
        for (const sessionId of ended) this.endSession(sessionId);
      }
    } catch (error) {
      this.options.logger.warn(
        { err: { message: (error as Error).message } },
        'session check failed; retrying at the next one',
      );
    } finally {
      this.checking = false;
    }
  }

  private *all(): Iterable<LiveConnection> {
    for (const set of this.byUser.values()) yield* set;
  }
}

function add(map: Map<string, Set<LiveConnection>>, key: string, value: LiveConnection): void {
  const set = map.get(key) ?? new Set();
  set.add(value);
  map.set(key, set);
}

function remove(map: Map<string, Set<LiveConnection>>, key: string, value: LiveConnection): void {
  const set = map.get(key);
  set?.delete(value);
  if (set?.size === 0) map.delete(key);
}

function closeWithin(socket: WebSocket, code: number, ms: number): Promise<void> {
  if (socket.readyState === socket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.terminate();
      resolve();
    }, ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.close(code, 'server shutting down');
  });
}
