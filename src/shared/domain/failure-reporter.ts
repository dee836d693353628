/**
 * Failures that are logged and counted but must not fail the use case (a mail that was not sent,
 * a blob left behind).
 */
export interface FailureReporter {
  report(error: unknown, context: { operation: string; userId?: string }): void;
}
