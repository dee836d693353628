/** The answer given to the first request under an idempotency key, replayed to its retries. */
export interface StoredAnswer {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: Uint8Array;
}

/** A running request's hold on its key: it lapses unless renewed, so a dead holder frees it. */
export interface IdempotencyLease {
  /** Extends the hold; false when it had already lapsed (another request may hold the key now). */
  renew(leaseMs: number): Promise<boolean>;
  /** Replaces the hold with the answer, kept `retentionSeconds`; false when the hold had lapsed. */
  complete(answer: StoredAnswer, retentionSeconds: number): Promise<boolean>;
  /** Gives the key up, so that the next request with it runs afresh. */
  release(): Promise<void>;
}

/** What a key holds when a request tries to claim it. */
export type IdempotencyClaim =
  | { state: 'claimed'; lease: IdempotencyLease }
  | { state: 'running'; fingerprint: string }
  | { state: 'done'; fingerprint: string; answer: StoredAnswer };

/** Idempotency keys, each claimed atomically by one request at a time. */
export interface IdempotencyStore {
  /** Claims `key` for a request whose body has `fingerprint`, or says what holds it already. */
  claim(key: string, fingerprint: string, leaseMs: number): Promise<IdempotencyClaim>;
}
