import type { TransactionRunner } from '../../../src/shared/domain/transaction-runner.ts';

/** Runs the work as is; counts runs so a test can tell which writes were meant to be atomic. */
export class PassThroughTransactions implements TransactionRunner {
  runs = 0;

  async run<T>(work: () => Promise<T>): Promise<T> {
    this.runs += 1;
    return work();
  }
}
