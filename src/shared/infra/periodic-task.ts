import type { Logger } from './logger.ts';

/** Runs `work` now and then every `intervalMs`, never two at once; `stop` waits for a run in progress. */
export class PeriodicTask {
  private readonly name: string;
  private readonly work: () => Promise<void>;
  private readonly intervalMs: number;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(name: string, work: () => Promise<void>, intervalMs: number, logger: Logger) {
    this.name = name;
    this.work = work;
    this.intervalMs = intervalMs;
    this.logger = logger;
  }

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.work()
      .catch((error: unknown) =>
        this.logger.warn(
          { task: this.name, err: { message: (error as Error).message } },
          'periodic task failed; retrying at the next run',
        ),
      )
      .finally(() => (this.running = undefined));
  }
}
