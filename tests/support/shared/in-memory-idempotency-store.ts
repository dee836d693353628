import type {
  IdempotencyClaim,
  IdempotencyStore,
  StoredAnswer,
} from '../../../src/shared/domain/idempotency-store.ts';

type Entry =
  | { state: 'running'; holder: number; fingerprint: string; until: number }
  | { state: 'done'; fingerprint: string; answer: StoredAnswer; until: number };

/** Keys in a map, with leases and retention that lapse by the wall clock, as Redis TTLs do. */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  readonly entries = new Map<string, Entry>();
  #holders = 0;

  claim(key: string, fingerprint: string, leaseMs: number): Promise<IdempotencyClaim> {
    const held = this.#live(key);
    if (held?.state === 'done') {
      return Promise.resolve({ state: 'done', fingerprint: held.fingerprint, answer: held.answer });
    }
    if (held !== undefined) {
      return Promise.resolve({ state: 'running', fingerprint: held.fingerprint });
    }
    const holder = ++this.#holders;
    this.entries.set(key, { state: 'running', holder, fingerprint, until: Date.now() + leaseMs });
    const mine = () => {
      const entry = this.#live(key);
      return entry?.state === 'running' && entry.holder === holder ? entry : undefined;
    };
    return Promise.resolve({
      state: 'claimed',
      lease: {
        renew: (ms) => {
          const entry = mine();
          if (entry !== undefined) entry.until = Date.now() + ms;
          return Promise.resolve(entry !== undefined);
        },
        complete: (answer, retentionSeconds) => {
          if (mine() === undefined) return Promise.resolve(false);
          const until = Date.now() + retentionSeconds * 1000;
          this.entries.set(key, { state: 'done', fingerprint, answer, until });
          return Promise.resolve(true);
        },
        release: () => {
          if (mine() !== undefined) this.entries.delete(key);
          return Promise.resolve();
        },
      },
    });
  }

  #live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined && entry.until <= Date.now()) this.entries.delete(key);
    return this.entries.get(key);
  }
}
