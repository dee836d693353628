import type { Outbox } from '../../../src/modules/tasks/application/ports.ts';
import type { TaskEvent } from '../../../src/modules/tasks/domain/task-events.ts';
import type { InMemoryTasksDb } from './in-memory-tasks-db.ts';

/** Refuses appends outside a transaction, so a use case that forgets one fails its tests. */
export class InMemoryOutbox implements Outbox {
  private readonly db: InMemoryTasksDb;
  private failure: Error | undefined;

  constructor(db: InMemoryTasksDb) {
    this.db = db;
  }

  async append(events: readonly TaskEvent[]): Promise<void> {
    if (this.db.openTransactions === 0) throw new Error('outbox append outside a transaction');
    const failure = this.failure;
    this.failure = undefined;
    if (failure) throw failure;
    this.db.tables.outbox.push(...structuredClone(events));
  }

  /** The events committed so far, oldest first. */
  get events(): TaskEvent[] {
    return this.db.tables.outbox;
  }

  failNextAppend(error = new Error('outbox unavailable')): void {
    this.failure = error;
  }
}
