import pg from 'pg';
import type { Logger } from '../../../../shared/infra/logger.ts';

/** The channel the `outbox_events` insert trigger notifies on (see its migration). */
const OUTBOX_CHANNEL = 'outbox_events';

/** Names the listening connection in `pg_stat_activity`. */
export const OUTBOX_LISTENER_NAME = 'task-manager-outbox-listener';

export interface PgOutboxListenerOptions {
  databaseUrl: string;
  logger: Logger;
  /**
   * Called for each notification, and after each (re)connection: rows may have committed while
   * nobody listened, so the relay polls at once.
   */
  onWake: () => void;
  /** Called when the connection is lost and when it listens again (tests, metrics). */
  onState?: (state: 'listening' | 'lost') => void;
  /** First pause before reconnecting, doubling up to `maxBackoffMs`. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * One dedicated PostgreSQL connection that LISTENs for committed outbox rows and wakes the relay.
 * A lost connection (restart, failover, a terminated backend) is re-opened with capped backoff
 * for as long as the listener runs; polling stays the safety net in between.
 */
export class PgOutboxListener {
  private readonly options: Required<Omit<PgOutboxListenerOptions, 'onState'>> &
    Pick<PgOutboxListenerOptions, 'onState'>;
  private client: pg.Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = true;

  constructor(options: PgOutboxListenerOptions) {
    this.options = { minBackoffMs: 100, maxBackoffMs: 5_000, ...options };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({
      connectionString: this.options.databaseUrl,
      application_name: OUTBOX_LISTENER_NAME,
      connectionTimeoutMillis: 2_000,
      keepAlive: true,
    });
    this.client = client;
    client.on('notification', (message) => {
      if (message.channel === OUTBOX_CHANNEL) this.options.onWake();
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      // Raw SQL: LISTEN is a session command that neither the ORM nor Kysely wraps.
      await client.query(`listen ${OUTBOX_CHANNEL}`);
    } catch (error) {
      this.lost(client, error);
      return;
    }
    if (this.client !== client) return;
    if (this.failures > 0) this.options.logger.info('outbox listener reconnected');
    this.failures = 0;
    this.options.onState?.('listening');
    this.options.onWake();
  }

  private lost(client: pg.Client, error?: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    // A closed client may still emit errors; without a listener they would crash the process.
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.stopped) return;
    this.failures += 1;
    if (this.failures === 1) {
      const message = error instanceof Error ? error.message : 'connection ended';
      this.options.logger.warn(
        { err: { message } },
        'outbox listener lost its connection; reconnecting (polling continues meanwhile)',
      );
    }
    this.options.onState?.('lost');
    const { minBackoffMs, maxBackoffMs } = this.options;
    const delay = Math.min(minBackoffMs * 2 ** (this.failures - 1), maxBackoffMs);
    this.retry = setTimeout(() => void this.connect(), delay);
    this.retry.unref();
  }
}
