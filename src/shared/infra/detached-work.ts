import type { Logger } from './logger.ts';

/**
 * Work a request starts and does not wait for (its answer must not depend on how long the work
 * takes). Failures are logged; `drain()` lets shutdown and tests wait for what is in flight.
 */
export class DetachedWork {
  private readonly logger: Logger;
  private readonly pending = new Set<Promise<void>>();

  constructor(logger: Logger) {
    this.logger = logger;
  }

  run(operation: string, work: () => Promise<unknown>): void {
    const running: Promise<void> = work()
      .then(
        () => undefined,
        (error: unknown) =>
          this.logger.error(
            { operation, err: { message: (error as Error).message } },
            'detached work failed',
          ),
      )
      .finally(() => this.pending.delete(running));
    this.pending.add(running);
  }

  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
