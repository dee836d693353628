/** Repositories and outboxes called inside `run` take part in its one transaction. */
export interface TransactionRunner {
  run<T>(work: () => Promise<T>): Promise<T>;
}
