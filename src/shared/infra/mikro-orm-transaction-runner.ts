import type { EntityManager } from '@mikro-orm/postgresql';
import type { TransactionRunner } from '../domain/transaction-runner.ts';

/**
 * Runs work in one database transaction. MikroORM propagates the transactional fork through
 * async context, so repositories built on the global manager join it without being passed it.
 */
export class MikroOrmTransactionRunner implements TransactionRunner {
  private readonly em: EntityManager;

  constructor(em: EntityManager) {
    this.em = em;
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    return this.em.transactional(() => work());
  }
}
