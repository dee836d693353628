import { v7 } from 'uuid';

/** Time-ordered UUIDs (v7): new rows land at the end of primary-key indexes. */
export class UuidV7Ids {
  next(): string {
    return v7();
  }
}
