import { v7 } from 'uuid';
import type { IdGenerator } from '../domain/id-generator.ts';

/** Time-ordered UUIDs (v7): new rows land at the end of primary-key indexes. */
export class UuidV7Ids implements IdGenerator {
  next(): string {
    return v7();
  }
}
