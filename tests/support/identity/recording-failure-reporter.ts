import type { FailureReporter } from '../../../src/shared/domain/failure-reporter.ts';

export class RecordingFailureReporter implements FailureReporter {
  readonly reports: Array<{ error: unknown; context: { operation: string; userId?: string } }> = [];

  report(error: unknown, context: { operation: string; userId?: string }): void {
    this.reports.push({ error, context });
  }
}
