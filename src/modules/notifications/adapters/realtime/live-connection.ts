import type { WebSocket } from 'ws';
import type { SessionPrincipal } from '../../application/ports.ts';
import type { Notification } from '../../domain/notification.ts';
import { toNotificationJson, type NotificationFrame } from '../http/notifications.schemas.ts';

export interface LiveConnectionOptions {
  /** The user's notifications numbered above `afterSeq`, oldest first. */
  read(userId: string, afterSeq: number, limit: number): Promise<Notification[]>;
  /** Past this many bytes waiting to be sent, the client is too slow and is dropped. */
  maxBufferedBytes: number;
  catchUpBatch: number;
  onSent?(notification: Notification): void;
  onDropped?(reason: 'slow' | 'error', error?: unknown): void;
}

/**
 * One socket's feed. It delivers the user's notifications strictly in `seq` order, each once:
 * a live one that is next in line goes out at once, one already sent is skipped, and one after a
 * gap (a lost or reordered publish) makes the connection read what it missed from the inbox.
 * All work runs one step at a time, so replay and live delivery never interleave.
 */
export class LiveConnection {
  readonly socket: WebSocket;
  readonly principal: SessionPrincipal;
  /** Cleared by each heartbeat, set by the pong that answers it. */
  alive = true;
  private lastSeq: number;
  private readonly options: LiveConnectionOptions;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    socket: WebSocket,
    principal: SessionPrincipal,
    afterSeq: number,
    options: LiveConnectionOptions,
  ) {
    this.socket = socket;
    this.principal = principal;
    this.lastSeq = afterSeq;
    this.options = options;
  }

  /** Replays what the client missed since `afterSeq` (and what arrived while it connected). */
  catchUp(): void {
    this.enqueue(() => this.readMissed());
  }

  deliver(notifications: readonly Notification[]): void {
    const mine = [...notifications].sort((a, b) => a.seq - b.seq);
    this.enqueue(async () => {
      for (const notification of mine) {
        if (notification.seq <= this.lastSeq) continue;
        if (notification.seq === this.lastSeq + 1) this.send(notification);
        else await this.readMissed();
      }
    });
  }

  /** Resolves when the work queued so far is done (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }

  private get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue
      .then(() => (this.open ? work() : undefined))
      .catch((error: unknown) => {
        this.options.onDropped?.('error', error);
        this.socket.terminate();
      });
  }

  private async readMissed(): Promise<void> {
    const { catchUpBatch } = this.options;
    for (;;) {
      const missed = await this.options.read(this.principal.userId, this.lastSeq, catchUpBatch);
      for (const notification of missed) this.send(notification);
      if (missed.length < catchUpBatch || !this.open) return;
    }
  }

  private send(notification: Notification): void {
    if (!this.open) return;
    const frame: NotificationFrame = {
      type: 'notification',
      data: toNotificationJson(notification),
    };
    this.socket.send(JSON.stringify(frame));
    this.lastSeq = notification.seq;
    this.options.onSent?.(notification);
    if (this.socket.bufferedAmount > this.options.maxBufferedBytes) {
      this.options.onDropped?.('slow');
      this.socket.terminate();
    }
  }
}
