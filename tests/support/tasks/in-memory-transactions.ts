import type { TransactionRunner } from '../../../src/shared/domain/transaction-runner.ts';
import type { InMemoryTasksDb } from './in-memory-tasks-db.ts';

/** A real unit of work over the in-memory tables: whatever the work wrote is undone if it throws. */
export class InMemoryTransactions implements TransactionRunner {
  private readonly db: InMemoryTasksDb;

  constructor(db: InMemoryTasksDb) {
    this.db = db;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    const before = this.db.snapshot();
    this.db.openTransactions += 1;
    try {
      return await work();
    } catch (error) {
      this.db.restore(before);
      throw error;
    } finally {
      this.db.openTransactions -= 1;
    }
  }
}
