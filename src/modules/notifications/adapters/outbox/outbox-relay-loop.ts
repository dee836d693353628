import type { Logger } from '../../../../shared/infra/logger.ts';
import type { RelayOutbox, RelayOutboxOutput } from '../../application/relay-outbox.ts';

export interface OutboxRelayLoopOptions {
  logger: Logger;
  /** Events per transaction; a full batch means more are waiting, so the next starts at once. */
  batchSize?: number;
  /**
   * Pause when the outbox is empty. With a listener calling `wake()` this is only the safety net
   * for a missed notification; without one it is the delivery delay.
   */
  idleMs?: number;
  /** Longest pause after failures (database down), doubling from `idleMs`. */
  maxBackoffMs?: number;
  /** Runs one batch in its own ORM context. */
  scope: <T>(work: () => Promise<T>) => Promise<T>;
  onBatch?: (outcome: RelayOutboxOutput) => void;
}

/** Relays the outbox in batches until stopped (worker role): on `wake()`, and polling every `idleMs`. */
export class OutboxRelayLoop {
  private readonly relay: RelayOutbox;
  private readonly options: Required<Omit<OutboxRelayLoopOptions, 'onBatch'>> &
    Pick<OutboxRelayLoopOptions, 'onBatch'>;
  private running = false;
  private done: Promise<void> = Promise.resolve();
  private interrupt: (() => void) | undefined;
  private woken = false;

  constructor(relay: RelayOutbox, options: OutboxRelayLoopOptions) {
    this.relay = relay;
    this.options = { batchSize: 100, idleMs: 200, maxBackoffMs: 5_000, ...options };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.done = this.loop();
  }

  /**
   * Rows have committed: relay now. A wake during a batch runs one more batch right after it, so
   * a commit that the running batch could not see is never left to the next poll.
   */
  wake(): void {
    this.woken = true;
    this.interrupt?.();
  }

  /** Lets the batch in progress finish (it commits or rolls back as a whole), then returns. */
  async stop(): Promise<void> {
    this.running = false;
    this.interrupt?.();
    await this.done;
  }

  private async loop(): Promise<void> {
    const { batchSize, idleMs, maxBackoffMs, logger, scope, onBatch } = this.options;
    let failures = 0;
    while (this.running) {
      let pause = idleMs;
      this.woken = false;
      try {
        const result = await scope(async () => this.relay.execute({ limit: batchSize }));
        failures = 0;
        if (result.isOk()) {
          onBatch?.(result.value);
          if (result.value.processed + result.value.failed > 0) {
            logger.debug(
              {
                processed: result.value.processed,
                failed: result.value.failed,
                notifications: result.value.notifications.length,
              },
              'outbox relayed',
            );
          }
          if (result.value.processed + result.value.failed >= batchSize) pause = 0;
        }
      } catch (error) {
        failures += 1;
        pause = Math.min(idleMs * 2 ** failures, maxBackoffMs);
        if (failures === 1) {
          const message = error instanceof Error ? error.message : String(error);
          logger.error({ err: { message } }, 'outbox relay failed; retrying with backoff');
        }
      }
      // A wake-up cuts the idle wait short, not the backoff after a failure.
      if (this.woken && failures === 0) pause = 0;
      if (pause > 0 && this.running) await this.sleep(pause);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.interrupt = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
