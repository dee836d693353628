import { createHmac, randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { BoundedQueue } from '../../../../shared/infra/bounded-queue.ts';
import type { PasswordCheck, PasswordHasher } from '../../application/ports.ts';
import type { HashJob, HashResult } from './bcrypt-worker.ts';

/** bcrypt at cost ≥ 12; tests may go down to 4 (NODE_ENV=test). Above 31 bcrypt itself refuses. */
const MIN_COST = 12;
const MIN_TEST_COST = 4;
const MAX_COST = 31;

/**
 * A fixed, public domain-separation key, not a secret pepper: it makes the bcrypt input specific to
 * this service, so unsalted SHA-256 hashes leaked elsewhere cannot be tried against our bcrypt hashes
 * ("password shucking"), without a secret whose loss or rotation would invalidate every password.
 * Changing it invalidates every stored hash.
 */
const PREHASH_KEY = 'task-manager-api/bcrypt-prehash/v1';

/**
 * bcrypt reads only the first 72 bytes of its input, so two long passwords sharing a 72-byte prefix
 * would verify against each other. HMAC-SHA256 of the whole password, base64-encoded, is always
 * 44 ASCII characters without NUL bytes, so bcrypt sees every byte of the password through it.
 * NFC normalisation makes the same visible password hash the same whichever way the client's
 * keyboard composed its accents.
 */
function prehash(password: string): string {
  return createHmac('sha256', PREHASH_KEY)
    .update(password.normalize('NFC'), 'utf8')
    .digest('base64');
}

export interface BcryptPasswordHasherOptions {
  /**
   * Hashes computed at once, each on a thread of its own. One per core: more only makes each
   * slower while they take the cores from everything else.
   */
  concurrency?: number;
  /** Hashes waiting beyond those; more are refused with an `OverloadedError` (503). */
  maxWaiting?: number;
  /**
   * A hashing thread left without work this long is stopped, and started again by the next hash:
   * each holds a V8 isolate of its own (20–40 MB of resident memory) that only logins need.
   */
  idleThreadMs?: number;
  /**
   * Accept a cost from bcrypt's own minimum (4) up, for test runs: the same threads and queue,
   * at a fraction of the CPU. The configuration sets it only with NODE_ENV=test.
   */
  allowTestCost?: boolean;
}

/** The hashing threads' priority (Linux nice): below the event loop's 0, so requests come first. */
const HASHING_NICE = 10;

export class BcryptPasswordHasher implements PasswordHasher {
  readonly #cost: number;
  readonly #queue: BoundedQueue;
  readonly #threads: HashingThreads;
  #dummyHash: Promise<string> | undefined;

  constructor(cost: number, options: BcryptPasswordHasherOptions = {}) {
    const min = options.allowTestCost === true ? MIN_TEST_COST : MIN_COST;
    if (!Number.isInteger(cost) || cost < min || cost > MAX_COST) {
      throw new RangeError(
        `bcrypt cost must be an integer from ${min} to ${MAX_COST}, got ${cost}`,
      );
    }
    this.#cost = cost;
    this.#queue = new BoundedQueue({
      name: 'password hashing',
      concurrency: options.concurrency ?? availableParallelism(),
      maxWaiting: options.maxWaiting ?? 32,
    });
    this.#threads = new HashingThreads(HASHING_NICE, options.idleThreadMs ?? 30_000);
  }

  /** Hashing threads alive now, working or idle. */
  get threads(): number {
    return this.#threads.size;
  }

  // Never on libuv's thread pool, which also serves WebCrypto, fs and DNS for every request; and
  // never on the event loop, which a cost-12 hash would block for ~170 ms.
  hash(password: string): Promise<string> {
    return this.#queue.run(() => this.#hash(password));
  }

  verify(password: string, encodedHash: string): Promise<boolean> {
    return this.#queue.run(() => this.#check(password, encodedHash));
  }

  reserve(): PasswordCheck {
    const reservation = this.#queue.reserve();
    return {
      verify: (password, encodedHash) => reservation.run(() => this.#check(password, encodedHash)),
      // In the claimed place: the first one also computes the dummy hash there.
      verifyDummy: (password) =>
        reservation.run(async () => {
          await this.#check(password, await this.#dummy(() => this.#hash(randomSecret())));
        }),
      release: () => reservation.release(),
    };
  }

  async verifyDummy(password: string): Promise<void> {
    const dummy = await this.#dummy(() => this.hash(randomSecret()));
    await this.verify(password, dummy);
  }

  /** Shared as a promise so concurrent first calls compute the dummy hash only once. */
  #dummy(compute: () => Promise<string>): Promise<string> {
    this.#dummyHash ??= compute();
    return this.#dummyHash.catch((error: unknown) => {
      this.#dummyHash = undefined;
      throw error;
    });
  }

  async #hash(password: string): Promise<string> {
    const value = await this.#threads.run({
      op: 'hash',
      input: prehash(password),
      cost: this.#cost,
    });
    return value as string;
  }

  async #check(password: string, encodedHash: string): Promise<boolean> {
    // bcrypt itself answers false for a malformed stored hash. A rejection here is a failure of
    // the hashing (a thread that died, bcrypt throwing), never a wrong password: it stays an
    // error, answered 500, so an outage is not reported to the user as bad credentials.
    const value = await this.#threads.run({
      op: 'verify',
      input: prehash(password),
      encoded: encodedHash,
    });
    return value === true;
  }
}

/** Hashing failed in the machinery (a hashing thread died, bcrypt threw), not on the password. */
export class PasswordHashingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PasswordHashingError';
  }
}

/**
 * Worker threads running bcrypt synchronously, one job each at a time, started on first use
 * and stopped after `idleMs` without work; the queue in front never runs more jobs than threads
 * are wanted. A thread holds the process open only while it works.
 */
class HashingThreads {
  readonly #nice: number;
  readonly #idleMs: number;
  readonly #idle: Worker[] = [];
  /** The timer that stops each idle thread. */
  readonly #stopping = new Map<Worker, NodeJS.Timeout>();
  readonly #pending = new Map<number, (result: HashResult) => void>();
  /** The job each working thread is on. */
  readonly #working = new Map<Worker, number>();
  #nextId = 0;

  constructor(nice: number, idleMs: number) {
    this.#nice = nice;
    this.#idleMs = idleMs;
  }

  get size(): number {
    return this.#idle.length + this.#working.size;
  }

  run(job: Omit<HashJob, 'id'>): Promise<string | boolean> {
    const worker = this.#idle.pop() ?? this.#spawn();
    clearTimeout(this.#stopping.get(worker));
    this.#stopping.delete(worker);
    const id = this.#nextId++;
    this.#working.set(worker, id);
    worker.ref();
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (result) => {
        this.#pending.delete(id);
        if (result.error === undefined) resolve(result.value as string | boolean);
        else reject(new PasswordHashingError(`password hashing failed: ${result.error}`));
      });
      worker.postMessage({ ...job, id } satisfies HashJob);
    });
  }

  #spawn(): Worker {
    const worker = new Worker(new URL('./bcrypt-worker.ts', import.meta.url), {
      workerData: { nice: this.#nice },
    });
    worker.on('message', (result: HashResult) => {
      this.#working.delete(worker);
      worker.unref();
      this.#idle.push(worker);
      this.#stopWhenIdle(worker);
      this.#pending.get(result.id)?.(result);
    });
    // A thread that dies fails its job (an error, not an answer) and leaves the pool: the next
    // job starts a fresh thread in its place.
    const fail = (reason: string) => {
      const index = this.#idle.indexOf(worker);
      if (index >= 0) this.#idle.splice(index, 1);
      clearTimeout(this.#stopping.get(worker));
      this.#stopping.delete(worker);
      const id = this.#working.get(worker);
      this.#working.delete(worker);
      if (id !== undefined) this.#pending.get(id)?.({ id, error: reason });
    };
    worker.on('error', (error: Error) => fail(`hashing thread crashed: ${error.message}`));
    worker.on('exit', (code) => fail(`hashing thread exited (${code})`));
    // An answer that cannot be read back would leave its job waiting for ever.
    worker.on('messageerror', () => {
      fail('hashing thread sent an unreadable answer');
      void worker.terminate();
    });
    return worker;
  }

  /** Taken out of the idle list first, so no job can be handed to a thread that is stopping. */
  #stopWhenIdle(worker: Worker): void {
    clearTimeout(this.#stopping.get(worker));
    const timer = setTimeout(() => {
      this.#stopping.delete(worker);
      const index = this.#idle.indexOf(worker);
      if (index < 0) return;
      this.#idle.splice(index, 1);
      void worker.terminate();
    }, this.#idleMs);
    timer.unref();
    this.#stopping.set(worker, timer);
  }
}

const randomSecret = () => randomBytes(32).toString('base64');
