import type { IdGenerator } from '../../../src/shared/domain/id-generator.ts';

/** Readable, ordered ids: `id-1`, `id-2`, ... */
export class SequentialIds implements IdGenerator {
  private counter = 0;
  private readonly prefix: string;

  constructor(prefix = 'id') {
    this.prefix = prefix;
  }

  next(): string {
    this.counter += 1;
    return `${this.prefix}-${this.counter}`;
  }
}
