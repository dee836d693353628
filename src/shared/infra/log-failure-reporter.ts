import type { FailureReporter } from '../domain/failure-reporter.ts';
import type { Logger } from './logger.ts';

/** Failures a use case tolerates still get a log line with their context. */
export class LogFailureReporter implements FailureReporter {
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  report(error: unknown, context: { operation: string; userId?: string }): void {
    const message = error instanceof Error ? error.message : String(error);
    this.logger.error({ ...context, err: { message } }, 'tolerated failure');
  }
}
